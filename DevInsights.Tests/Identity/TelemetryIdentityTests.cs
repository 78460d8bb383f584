using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Otlp.Storage;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Otlp.Integration;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Identity;

/// <summary>/api/v1/admin/identities and what a link does to attribution: real Claude Code log exports (scenario b)
/// through /v1/logs, each test with its own install ids, sessions and users.</summary>
public sealed class TelemetryIdentityTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Linking_an_install_id_attributes_new_sessions_to_the_user_at_once_and_stored_ones_stay(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var collector = await app.UserAsync(Roles.Developer);   // a shared team key, say
        var developer = await app.UserAsync(Roles.Developer);
        var admin = await app.UserAsync(Roles.Admin);
        var (install, before, during, after, unlinkedAgain) = (NewInstallId(), NewSessionId(), NewSessionId(), NewSessionId(), NewSessionId());

        // Before the link: the install id is recorded, unlinked, and the key's owner gets the session.
        await collector.Client.PostRequestsAsync(ClaudeLogs(before, (InstallId, install)));
        Assert.Equal(collector.Id, (await app.FiguresAsync(before)).DeveloperId);
        var listed = await admin.Client.GetJsonAsync($"/api/v1/admin/identities?kind=install&linked=false&q={install[..20].ToUpperInvariant()}");
        var row = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal((install, "claude-code", JsonValueKind.Null), (row.GetProperty("value").GetString(), row.GetProperty("client").GetString(), row.GetProperty("userId").ValueKind));
        var identityId = row.GetProperty("id").GetInt64();

        // A session that is running when the link is made.
        await collector.Client.PostRequestsAsync(ClaudeLogs(during, (InstallId, install)));

        using (var put = await admin.Client.PutAsJsonAsync($"/api/v1/admin/identities/{identityId}", new { userId = developer.Id }))
        {
            var linked = await put.ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(("linked", developer.Email), (linked.GetProperty("outcome").GetString(), linked.GetProperty("identity").GetProperty("userEmail").GetString()));
            Assert.Contains("from now on", linked.GetProperty("note").GetString());
        }

        // Straight away (the attribution cache was cleared, no waiting for its 5 minutes), a new session is the developer's;
        // sent as OTLP/JSON this time, the other encoding of the same pipeline.
        using (var json = await collector.Client.PostOtlpAsync("/v1/logs", ClaudeLogs(after, (InstallId, install)), json: true))
            Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(developer.Id, (await app.FiguresAsync(after)).DeveloperId);
        // Stored sessions keep their developer, also the running one when more of it arrives.
        await collector.Client.PostRequestsAsync(ClaudeLaterLogs(during, (InstallId, install)));
        var duringFigures = await app.FiguresAsync(during);
        Assert.Equal((collector.Id, 3L), (duringFigures.DeveloperId, duringFigures.ApiRequests));
        Assert.Equal(collector.Id, (await app.FiguresAsync(before)).DeveloperId);

        // Unlinking applies at once too.
        using (var put = await admin.Client.PutAsJsonAsync($"/api/v1/admin/identities/{identityId}", new { userId = (string?)null }))
            Assert.Equal("unlinked", (await put.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("outcome").GetString());
        await collector.Client.PostRequestsAsync(ClaudeLogs(unlinkedAgain, (InstallId, install)));
        Assert.Equal(collector.Id, (await app.FiguresAsync(unlinkedAgain)).DeveloperId);

        // Both changes are audited with who, what and to whom.
        await using var db = await app.DbAsync();
        var audit = await db.AuditLogs.AsNoTracking().Where(a => a.Target == "install:" + install).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal([AuditActions.IdentityLinked, AuditActions.IdentityUnlinked], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal((admin.Id, admin.Email), (a.ActorId, a.ActorName)));
        using var details = JsonDocument.Parse(audit[0].DetailsJson!);
        Assert.Equal((developer.Id, developer.Email, identityId), (details.RootElement.GetProperty("userId").GetString(),
            details.RootElement.GetProperty("userEmail").GetString(), details.RootElement.GetProperty("identityId").GetInt64()));
        using var unlinkDetails = JsonDocument.Parse(audit[1].DetailsJson!);
        Assert.Equal(developer.Id, unlinkDetails.RootElement.GetProperty("previousUserId").GetString());
    }

    [Theory, BothProviders]
    public async Task The_list_filters_sorts_and_pages_in_the_database(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var admin = await app.UserAsync(Roles.Admin);
        var developer = await app.UserAsync(Roles.Developer);
        var marker = "m" + Guid.NewGuid().ToString("N")[..12];
        var t0 = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        await using (var db = await app.DbAsync())
        {
            // Five identities of this test: three installs (one linked), an account id, and an email.
            db.AddRange(
                Identity(TelemetryIdentity.Install, marker + "-c", t0.AddHours(3), null),
                Identity(TelemetryIdentity.Install, marker + "-a", t0.AddHours(1), developer.Id),
                Identity(TelemetryIdentity.Install, marker + "-b", t0.AddHours(5), null),
                Identity(TelemetryIdentity.Account, marker + "-d", t0.AddHours(2), null),
                Identity(TelemetryIdentity.Email, marker + "-e@example.test", t0.AddHours(4), null));
            await db.SaveChangesAsync();
        }

        static string[] Values(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("value").GetString()!).ToArray();
        var all = await admin.Client.GetJsonAsync($"/api/v1/admin/identities?q={marker}");
        // Default order: newest sighting first.
        Assert.Equal([marker + "-b", marker + "-e@example.test", marker + "-c", marker + "-d", marker + "-a"], Values(all));
        Assert.Equal((5, 1, 50), (all.GetProperty("total").GetInt32(), all.GetProperty("page").GetInt32(), all.GetProperty("pageSize").GetInt32()));
        Assert.True(all.GetProperty("unlinked").GetInt32() >= 4);

        var page2 = await admin.Client.GetJsonAsync($"/api/v1/admin/identities?q={marker}&kind=install&sort=value&page=2&pageSize=2");
        Assert.Equal([marker + "-c"], Values(page2));
        Assert.Equal(3, page2.GetProperty("total").GetInt32());
        var unlinkedInstalls = await admin.Client.GetJsonAsync($"/api/v1/admin/identities?q={marker}&kind=install&linked=false&sort=-firstSeen");
        Assert.Equal([marker + "-b", marker + "-c"], Values(unlinkedInstalls));
        var linked = await admin.Client.GetJsonAsync($"/api/v1/admin/identities?q={marker}&linked=true");
        var only = Assert.Single(linked.GetProperty("items").EnumerateArray());
        Assert.Equal((developer.Id, developer.Email), (only.GetProperty("userId").GetString(), only.GetProperty("userEmail").GetString()));
        // The search also matches the linked user's email.
        var byUser = await admin.Client.GetJsonAsync($"/api/v1/admin/identities?q={developer.Email.ToUpperInvariant()}");
        Assert.Equal([marker + "-a"], Values(byUser));
    }

    [Theory, BothProviders]
    public async Task Bad_requests_are_problem_details_naming_the_field_unknown_ids_are_404_and_account_emails_stay_with_their_user(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var admin = await app.UserAsync(Roles.Admin);
        var developer = await app.UserAsync(Roles.Developer);
        long install, accountEmail;
        await using (var db = await app.DbAsync())
        {
            var a = Identity(TelemetryIdentity.Install, NewInstallId(), DateTime.UtcNow, null);
            // An email identity that is the developer's account email: attribution always follows the account.
            var e = Identity(TelemetryIdentity.Email, developer.Email.ToLowerInvariant(), DateTime.UtcNow, developer.Id);
            db.AddRange(a, e);
            await db.SaveChangesAsync();
            (install, accountEmail) = (a.Id, e.Id);
        }

        using (var bad = await admin.Client.GetAsync("/api/v1/admin/identities?kind=user&linked=maybe&page=0&pageSize=500&sort=owner"))
        {
            var problem = await bad.ReadJsonAsync(HttpStatusCode.BadRequest);
            foreach (var field in new[] { "kind", "linked", "page", "pageSize", "sort" }) SessionTestData.AssertFieldError(problem, field);
        }
        using (var missing = await admin.Client.PutAsJsonAsync($"/api/v1/admin/identities/{install}", new { user = developer.Id }))
            SessionTestData.AssertFieldError(await missing.ReadJsonAsync(HttpStatusCode.BadRequest), "userId");
        using (var unknownUser = await admin.Client.PutAsJsonAsync($"/api/v1/admin/identities/{install}", new { userId = Guid.NewGuid().ToString() }))
            SessionTestData.AssertFieldError(await unknownUser.ReadJsonAsync(HttpStatusCode.BadRequest), "userId");
        using (var notJson = await admin.Client.PutAsync($"/api/v1/admin/identities/{install}", new StringContent("userId=x")))
            await notJson.ReadJsonAsync(HttpStatusCode.UnsupportedMediaType);
        using (var unknown = await admin.Client.PutAsJsonAsync($"/api/v1/admin/identities/{long.MaxValue}", new { userId = developer.Id }))
            await unknown.ReadJsonAsync(HttpStatusCode.NotFound);
        using (var elsewhere = await admin.Client.PutAsJsonAsync($"/api/v1/admin/identities/{accountEmail}", new { userId = admin.Id }))
            Assert.Contains(developer.Email, (await elsewhere.ReadJsonAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        using (var unlink = await admin.Client.PutAsJsonAsync($"/api/v1/admin/identities/{accountEmail}", new { userId = (string?)null }))
            await unlink.ReadJsonAsync(HttpStatusCode.Conflict);
        using (var same = await admin.Client.PutAsJsonAsync($"/api/v1/admin/identities/{accountEmail}", new { userId = developer.Id }))
        {
            var body = await same.ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal(("unchanged", true), (body.GetProperty("outcome").GetString(), body.GetProperty("identity").GetProperty("accountEmail").GetBoolean()));
        }

        // Nothing above changed a link, so nothing was audited.
        await using var check = await app.DbAsync();
        Assert.Equal([null, developer.Id], await check.Set<TelemetryIdentity>().Where(i => i.Id == install || i.Id == accountEmail)
            .OrderBy(i => i.Id).Select(i => i.UserId).ToListAsync());
        Assert.False(await check.AuditLogs.AnyAsync(a => a.Action.StartsWith("identity.") && a.ActorId == admin.Id));
    }

    [Theory, BothProviders]
    public async Task The_service_itself_refuses_callers_who_are_not_administrators(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var lead = await app.UserAsync(Roles.TeamLead);
        var service = app.Services.GetRequiredService<TelemetryIdentityAdministration>();
        var caller = AdminCaller.For(new AuditActor(lead.Id, lead.Email), [Roles.TeamLead, Roles.Developer]);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => service.QueryAsync(caller, new IdentityQuery()));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => service.SetLinkAsync(caller, 1, lead.Id));
    }

    private static TelemetryIdentity Identity(string kind, string value, DateTime seen, string? userId) => new()
    {
        Kind = kind, Value = value, Client = "claude-code", UserId = userId, FirstSeenAt = seen, LastSeenAt = seen,
    };
}
