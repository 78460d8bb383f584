using System.Net;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Identity;

/// <summary>Authenticated API keys are remembered for <see cref="ApiKeyService.CacheLifetime"/>; changes made through
/// the app take effect at the next request.</summary>
public sealed class ApiKeyCacheTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task A_key_revoked_behind_the_apps_back_works_until_its_cache_entry_expires(DatabaseProvider provider)
    {
        var (keys, clock, db, key) = await SetUpAsync(provider);
        var first = await keys.AuthenticateAsync(key.Secret);
        Assert.NotNull(first);
        Assert.Equal([Roles.Developer], first.Roles);

        // As another instance, or the admin command in its own process, would revoke it.
        await using (var context = await db.CreateDbContextAsync())
            await context.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, DateTime.UtcNow));

        clock.Advance(ApiKeyService.CacheLifetime - TimeSpan.FromSeconds(1));
        Assert.Same(first, await keys.AuthenticateAsync(key.Secret));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await keys.AuthenticateAsync(key.Secret));
    }

    [Theory, BothProviders]
    public async Task Revoking_through_the_service_takes_effect_at_the_next_authentication(DatabaseProvider provider)
    {
        var (keys, _, _, key) = await SetUpAsync(provider);
        Assert.NotNull(await keys.AuthenticateAsync(key.Secret));

        Assert.True(await keys.RevokeAsync(key.Id));

        Assert.Null(await keys.AuthenticateAsync(key.Secret));
    }

    [Theory, BothProviders]
    public async Task Revoking_all_keys_of_a_user_drops_each_of_them(DatabaseProvider provider)
    {
        var (keys, _, _, key) = await SetUpAsync(provider);
        var userId = (await keys.AuthenticateAsync(key.Secret))!.UserId;
        var second = await keys.IssueAsync(userId, "second");
        Assert.NotNull(await keys.AuthenticateAsync(second.Secret));

        // The client's key, the set-up key and the second one.
        Assert.Equal(3, await keys.RevokeAllAsync(userId));

        Assert.Null(await keys.AuthenticateAsync(key.Secret));
        Assert.Null(await keys.AuthenticateAsync(second.Secret));
    }

    [Theory, BothProviders]
    public async Task Forgetting_rereads_the_owners_state(DatabaseProvider provider)
    {
        var (keys, _, db, key) = await SetUpAsync(provider);
        var userId = (await keys.AuthenticateAsync(key.Secret))!.UserId;
        await using (var context = await db.CreateDbContextAsync())
            await context.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisabledAt, DateTime.UtcNow));
        Assert.NotNull(await keys.AuthenticateAsync(key.Secret));

        keys.ForgetAuthentications();

        Assert.Null(await keys.AuthenticateAsync(key.Secret));
    }

    [Theory, BothProviders]
    public async Task A_deleted_users_key_answers_401_at_the_next_request(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var email = ProviderApps.UniqueEmail();
        var (client, _, _) = await app.CreateUserClientAsync(email: email);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().DeleteUserAsync(email, AuditActor.CommandLine());

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    /// <summary>A service of its own over the app's database, on a clock the test moves, and a fresh key.</summary>
    private async Task<(ApiKeyService Keys, ManualClock Clock, IDbContextFactory<DevInsightsDbContext> Db, ApiKeyService.IssuedKey Key)> SetUpAsync(
        DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (_, userId, _) = await app.CreateUserClientAsync();
        var db = app.Services.GetRequiredService<IDbContextFactory<DevInsightsDbContext>>();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var keys = new ApiKeyService(db, clock);
        return (keys, clock, db, await keys.IssueAsync(userId, "cache test"));
    }
}
