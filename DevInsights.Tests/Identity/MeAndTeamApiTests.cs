using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Tests.Identity;

public sealed class MeAndTeamApiTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Settings_change_through_an_API_key_and_the_browser_cookie_validated_and_audited(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var user = await app.UserAsync(Roles.Developer);

        using (var put = await user.Client.PutAsJsonAsync("/api/v1/me/settings", new { shareLevel = "FULL", leaderboardOptIn = true, displayName = "  Ada L.  " }))
        {
            var body = await put.ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("full", body.GetProperty("shareLevel").GetString());
            Assert.Contains("from now on", body.GetProperty("note").GetString());
        }
        var me = await user.Client.GetJsonAsync("/api/v1/me");
        Assert.Equal(("full", true, "Ada L."), (me.GetProperty("shareLevel").GetString(), me.GetProperty("leaderboardOptIn").GetBoolean(), me.GetProperty("displayName").GetString()));

        // Field-named 400s.
        using (var bad = await user.Client.PutAsJsonAsync("/api/v1/me/settings", new { shareLevel = "2", displayName = new string('x', 101) }))
        {
            var problem = await bad.ReadJsonAsync(HttpStatusCode.BadRequest);
            foreach (var field in new[] { "shareLevel", "leaderboardOptIn", "displayName" }) SessionTestData.AssertFieldError(problem, field);
        }
        using (var wrongType = await user.Client.PutAsync("/api/v1/me/settings", new StringContent("""{"shareLevel":"none","leaderboardOptIn":"yes"}""", System.Text.Encoding.UTF8, "application/json")))
            SessionTestData.AssertFieldError(await wrongType.ReadJsonAsync(HttpStatusCode.BadRequest), "leaderboardOptIn");

        // The browser's cookie works too (no API key on this client).
        var browser = BrowserLikeClient.Create(app);
        using (var signIn = await BrowserLikeClient.SignInAsync(browser, user.Email, "Test-password-123")) Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        using (var put = await browser.PutAsJsonAsync("/api/v1/me/settings", new { shareLevel = "none", leaderboardOptIn = false }))
            await put.ReadJsonAsync(HttpStatusCode.OK);
        var viaCookie = await browser.GetJsonAsync("/api/v1/me");
        Assert.Equal(("none", (string?)null), (viaCookie.GetProperty("shareLevel").GetString(), viaCookie.GetProperty("displayName").GetString()));

        await using var db = await app.DbAsync();
        var audits = await db.AuditLogs.AsNoTracking().Where(a => a.Action == AuditActions.SettingsChanged && a.ActorId == user.Id).CountAsync();
        Assert.Equal(2, audits);
    }

    [Theory, BothProviders]
    public async Task Team_endpoints_aggregate_everyone_and_rank_only_those_who_opted_in(DatabaseProvider provider)
    {
        // A database of its own: team figures cover every session in it.
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var optedIn = await app.UserAsync(Roles.Developer);
        var hidden = await app.UserAsync(Roles.Developer, ShareLevel.None);
        var lead = await app.UserAsync(Roles.TeamLead);
        using (var put = await optedIn.Client.PutAsJsonAsync("/api/v1/me/settings", new { shareLevel = "metadata", leaderboardOptIn = true, displayName = "Opted In" }))
            await put.ReadJsonAsync(HttpStatusCode.OK);
        var now = DateTime.UtcNow;
        foreach (var (client, sessions) in new[] { (optedIn.Client, 2), (hidden.Client, 1) })
            for (var i = 0; i < sessions; i++)
                using (var r = await client.PostEventsAsync(IngestionTestKit.Turn(IngestionTestKit.NewSessionId(), now.AddHours(-2 - i), "t" + i)))
                    Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        var stats = await lead.Client.GetJsonAsync("/api/v1/team/stats?days=7");
        Assert.Equal(3, stats.GetProperty("sessions").GetInt32());
        Assert.Equal(2, stats.GetProperty("activeDevelopers").GetInt32());
        var tokens = stats.GetProperty("tokens");
        Assert.Equal((4500L, 960L, 36000L, 2400L), (tokens.GetProperty("input").GetInt64(), tokens.GetProperty("output").GetInt64(),
            tokens.GetProperty("cacheRead").GetInt64(), tokens.GetProperty("cacheCreation").GetInt64()));
        Assert.Equal(0.0369, stats.GetProperty("costUsd").GetDouble(), 6);

        var tools = (await hidden.Client.GetJsonAsync("/api/v1/team/tools?days=7")).GetProperty("tools");
        var bash = tools.EnumerateArray().Single(t => t.GetProperty("tool").GetString() == "Bash");
        Assert.Equal((3L, 3L, 0L, 1.0), (bash.GetProperty("successes").GetInt64(), bash.GetProperty("calls").GetInt64(),
            bash.GetProperty("errors").GetInt64(), bash.GetProperty("successRate").GetDouble()));

        var board = (await hidden.Client.GetJsonAsync("/api/v1/team/leaderboard?days=7")).GetProperty("entries");
        var entry = Assert.Single(board.EnumerateArray());
        Assert.Equal(("Opted In", 2, 1), (entry.GetProperty("name").GetString(), entry.GetProperty("sessions").GetInt32(), entry.GetProperty("rank").GetInt32()));

        var daily = (await lead.Client.GetJsonAsync("/api/v1/team/trends?days=2")).GetProperty("daily");
        Assert.Equal(3, daily.EnumerateArray().Sum(d => d.GetProperty("sessions").GetInt32()));
        Assert.True(daily.GetArrayLength() is 2 or 3);

        foreach (var bad in new[] { "0", "366", "abc" })
            SessionTestData.AssertFieldError(await lead.Client.GetJsonAsync($"/api/v1/team/stats?days={bad}", HttpStatusCode.BadRequest), "days");
    }
}
