using System.Net;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using DevInsights.Tests.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Identity;

public sealed class UserAdministrationTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Disable_roles_keys_preview_and_delete_are_enforced_and_audited(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var admin = await app.UserAsync(Roles.Admin);
        var user = await app.UserAsync(Roles.Developer);
        var actor = new AuditActor(admin.Id, admin.Email);
        using var scope = app.Services.CreateScope();
        var administration = scope.ServiceProvider.GetRequiredService<UserAdministration>();

        using (var r = await user.Client.PostEventsAsync(IngestionTestKit.Turn(IngestionTestKit.NewSessionId(), DateTime.UtcNow, "u")))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        // Disabled: the key stops working and the sign-in form refuses; enabled again, both work.
        await administration.DisableAsync(user.Id, actor);
        await user.Client.GetJsonAsync("/api/v1/me", HttpStatusCode.Unauthorized);
        var browser = BrowserLikeClient.Create(app);
        using (var signIn = await BrowserLikeClient.SignInAsync(browser, user.Email, "Test-password-123"))
            Assert.NotEqual(HttpStatusCode.Redirect, signIn.StatusCode);
        await administration.EnableAsync(user.Id, actor);
        await user.Client.GetJsonAsync("/api/v1/me");

        // Roles: replaced, and an admin cannot drop their own Admin role or disable themself.
        await administration.SetRolesAsync(user.Id, [Roles.TeamLead, Roles.Developer], actor);
        var me = await user.Client.GetJsonAsync("/api/v1/me");
        Assert.Equal([Roles.Developer, Roles.TeamLead], SessionTestData.Strings(me.GetProperty("roles")));
        await Assert.ThrowsAsync<UserAdministrationException>(() => administration.SetRolesAsync(admin.Id, [Roles.Developer], actor));
        await Assert.ThrowsAsync<UserAdministrationException>(() => administration.DisableAsync(admin.Id, actor));

        // Keys: issue, rotate (old one refused), revoke.
        var issued = await administration.IssueKeyForAsync(user.Id, "ci runner", actor);
        var rotated = await administration.RotateKeyAsync(issued.Id, actor);
        using var oldKey = app.CreateClient();
        oldKey.DefaultRequestHeaders.Add("X-API-Key", issued.Secret);
        await oldKey.GetJsonAsync("/api/v1/me", HttpStatusCode.Unauthorized);
        using var newKey = app.CreateClient();
        newKey.DefaultRequestHeaders.Add("X-API-Key", rotated.Secret);
        await newKey.GetJsonAsync("/api/v1/me");
        Assert.True(await administration.RevokeKeyAsync(rotated.Id, actor));
        Assert.False(await administration.RevokeKeyAsync(rotated.Id, actor));
        await newKey.GetJsonAsync("/api/v1/me", HttpStatusCode.Unauthorized);
        var keys = await administration.ListKeysAsync(user.Id);
        Assert.Equal(3, keys.Count);
        Assert.Single(keys, k => k.Active);
        Assert.All(keys, k => Assert.Equal(user.Email, k.OwnerEmail));

        // Search finds the user; the deletion preview names what goes, and deletion removes exactly that.
        var page = await administration.QueryUsersAsync(new UserQuery(user.Email[..20].ToUpperInvariant()));
        Assert.Equal(user.Id, Assert.Single(page.Items).Id);
        var preview = await administration.PreviewDeletionAsync(user.Id);
        Assert.Equal((1, 5L, 3), (preview.Sessions, preview.Events, preview.Keys));
        var deleted = await administration.DeleteUserAsync(user.Email, actor);
        Assert.Equal((preview.Sessions, (long)preview.Events), (deleted.Sessions, (long)deleted.Events));

        var audit = await administration.QueryAuditAsync(new AuditQuery(Actor: admin.Email, Take: 100));
        var actions = audit.Items.Select(a => a.Action).ToList();
        foreach (var action in new[] { AuditActions.UserDisabled, AuditActions.UserEnabled, AuditActions.UserRolesChanged, AuditActions.ApiKeyCreated,
                     AuditActions.ApiKeyRotated, AuditActions.ApiKeyRevoked, AuditActions.UserDeleted })
            Assert.Contains(action, actions);
        var apikeyOnly = await administration.QueryAuditAsync(new AuditQuery(Action: "apikey", Actor: admin.Email));
        Assert.Equal(3, apikeyOnly.Total);
    }
}
