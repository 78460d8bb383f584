using System.Net;
using System.Net.Http.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Otlp.Integration;
using DevInsights.Tests.Sessions;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Identity;

/// <summary>OTLP attribution remembers developers and share levels for minutes; changes made in this process through
/// the settings and the administration must apply to the very next export.</summary>
public sealed class AttributionCacheTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Lowering_the_share_level_drops_prompts_from_the_next_session_at_once(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var user = await app.UserAsync(Roles.Developer, ShareLevel.Full);
        var (shared, afterwards, install) = (NewSessionId(), NewSessionId(), NewInstallId());

        await user.Client.PostRequestsAsync(ClaudeLogs(shared, (InstallId, install)));
        Assert.StartsWith(PromptText, (await OtlpShareLevelTests.UserPromptAttributesAsync(app, shared)).GetProperty("prompt").GetString());

        using (var put = await user.Client.PutAsJsonAsync("/api/v1/me/settings", new { shareLevel = "metadata", leaderboardOptIn = false }))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await user.Client.PostRequestsAsync(ClaudeLogs(afterwards, (InstallId, install)));
        Assert.False((await OtlpShareLevelTests.UserPromptAttributesAsync(app, afterwards)).TryGetProperty("prompt", out _));
    }

    [Theory, BothProviders]
    public async Task After_deleting_a_linked_user_new_sessions_go_to_the_key_owner_at_once(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var collector = await app.UserAsync(Roles.Developer);
        var developer = await app.UserAsync(Roles.Developer, ShareLevel.Full);
        var admin = await app.UserAsync(Roles.Admin);
        var (first, second, install) = (NewSessionId(), NewSessionId(), NewInstallId());
        await collector.Client.PostRequestsAsync(ClaudeLogs(NewSessionId(), (InstallId, install)));
        var identity = (await admin.Client.GetJsonAsync($"/api/v1/admin/identities?q={install}")).GetProperty("items")[0].GetProperty("id").GetInt64();
        using (var put = await admin.Client.PutAsJsonAsync($"/api/v1/admin/identities/{identity}", new { userId = developer.Id }))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await collector.Client.PostRequestsAsync(ClaudeLogs(first, (InstallId, install)));
        Assert.Equal(developer.Id, (await app.FiguresAsync(first)).DeveloperId);

        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().DeleteUserAsync(developer.Email, new AuditActor(admin.Id, admin.Email));
        await collector.Client.PostRequestsAsync(ClaudeLogs(second, (InstallId, install)));
        Assert.Equal(collector.Id, (await app.FiguresAsync(second)).DeveloperId);
        // Nor is the deleted user's Full share level applied to the key owner's new session.
        Assert.False((await OtlpShareLevelTests.UserPromptAttributesAsync(app, second)).TryGetProperty("prompt", out _));
    }
}
