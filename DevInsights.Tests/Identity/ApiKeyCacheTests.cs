using System.Net;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Tests.Admin;
using DevInsights.Tests.Hierarchy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Identity;

/// <summary>Validated API keys are remembered for 30 s; changes made through the app take effect at once.</summary>
public sealed class ApiKeyCacheTests(ProviderFactories factories) : IClassFixture<ProviderFactories>
{
    [Theory, BothProviders]
    public async Task A_key_revoked_behind_the_apps_back_works_until_its_cache_entry_expires(DatabaseProvider provider)
    {
        var (keys, clock, db, key) = await SetUpAsync(provider);
        var first = await keys.ValidateAsync(key.Secret);
        Assert.NotNull(first);
        Assert.Equal([Roles.Developer], first.Roles);

        // As another instance, or the admin command in its own process, would revoke it.
        await using (var context = await db.CreateDbContextAsync())
            await context.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, DateTime.UtcNow));

        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(first, await keys.ValidateAsync(key.Secret));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await keys.ValidateAsync(key.Secret));
    }

    [Theory, BothProviders]
    public async Task Revoking_through_the_service_takes_effect_at_the_next_validation(DatabaseProvider provider)
    {
        var (keys, _, _, key) = await SetUpAsync(provider);
        Assert.NotNull(await keys.ValidateAsync(key.Secret));

        Assert.True(await keys.RevokeAsync(key.Id));

        Assert.Null(await keys.ValidateAsync(key.Secret));
    }

    [Theory, BothProviders]
    public async Task Revoking_all_keys_of_a_user_drops_each_of_them(DatabaseProvider provider)
    {
        var (keys, _, _, key) = await SetUpAsync(provider);
        var userId = (await keys.ValidateAsync(key.Secret))!.UserId;
        var second = await keys.IssueAsync(userId, "second");
        Assert.NotNull(await keys.ValidateAsync(second.Secret));

        // The client's key, the set-up key and the second one.
        Assert.Equal(3, await keys.RevokeAllAsync(userId));

        Assert.Null(await keys.ValidateAsync(key.Secret));
        Assert.Null(await keys.ValidateAsync(second.Secret));
    }

    [Theory, BothProviders]
    public async Task Forgetting_a_user_rereads_their_state(DatabaseProvider provider)
    {
        var (keys, _, db, key) = await SetUpAsync(provider);
        var userId = (await keys.ValidateAsync(key.Secret))!.UserId;
        await using (var context = await db.CreateDbContextAsync())
            await context.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisabledAt, DateTime.UtcNow));
        Assert.NotNull(await keys.ValidateAsync(key.Secret));

        keys.ForgetUser(userId);

        Assert.Null(await keys.ValidateAsync(key.Secret));
    }

    [Theory, BothProviders]
    public async Task A_deleted_users_key_answers_401_at_the_next_request(DatabaseProvider provider)
    {
        var factory = await factories.GetAsync(provider);
        var email = ProviderFactories.UniqueEmail();
        var (client, _, _) = await factory.CreateUserClientAsync(email: email);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        using (var scope = factory.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().DeleteUserAsync(email, AuditActor.CommandLine());

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    /// <summary>A service of its own over the app's database, on a clock the test moves, and a fresh key.</summary>
    private async Task<(ApiKeyService Keys, ManualClock Clock, IDbContextFactory<DevInsightsDbContext> Db, ApiKeyService.IssuedKey Key)> SetUpAsync(
        DatabaseProvider provider)
    {
        var factory = await factories.GetAsync(provider);
        var (_, userId, _) = await factory.CreateUserClientAsync();
        var db = factory.Services.GetRequiredService<IDbContextFactory<DevInsightsDbContext>>();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var keys = new ApiKeyService(db, clock);
        return (keys, clock, db, await keys.IssueAsync(userId, "cache test"));
    }
}
