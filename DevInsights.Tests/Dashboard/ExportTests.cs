using System.Net;
using DevInsights.Core.Configuration;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Sessions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DevInsights.Tests.Dashboard;

/// <summary>The CSV exports over HTTP with an API key: the caller's rights apply, and the query string filters as on the page.</summary>
public sealed class ExportTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_developers_export_holds_their_own_sessions_and_the_privacy_of_the_breakdown(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2034, 2, 10), days: 8);
        var range = team.RangeQuery;
        var (ann, bob) = (team.Developers[0], team.Developers[1]);

        var sessions = await Lines(ann.Client, $"/export/sessions.csv?{range}&sort=cost&dir=asc");
        Assert.Equal("SessionId,StartedAt,EndedAt,Developer,Project,Client,Models,Events,InputTokens,OutputTokens,CacheReadTokens,CacheCreationTokens,CostUsd,DurationMs", sessions[0]);
        var own = team.Sessions.Where(s => s.DeveloperId == ann.Id).OrderBy(s => s.CostUsd).ThenBy(s => s.Id).ToList();
        Assert.Equal(own.Select(s => s.ClientSessionId), sessions.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Empty(await Lines(ann.Client, $"/export/sessions.csv?{range}&developer={bob.Id}", header: false));

        var byDeveloper = await Lines(ann.Client, $"/export/breakdown.csv?by=developer&{range}");
        Assert.Equal(["Ann Lee (you)", "Chen Wu", "Other developers"], byDeveloper.Skip(1).Select(l => l.Split(',')[0]).Order());
        var byModel = await Lines(bob.Client, $"/export/breakdown.csv?by=model&{range}");
        Assert.Equal(team.Events.Where(e => e.Model is not null).Select(e => e.Model!).Distinct().Order(), byModel.Skip(1).Select(l => l.Split(',')[0]).Order());
        using var bad = await bob.Client.GetAsync($"/export/breakdown.csv?by=color&{range}");
        var problem = await bad.ReadJsonAsync(HttpStatusCode.BadRequest);
        SessionTestData.AssertFieldError(problem, "by");

        // Another developer's session is not found, as on its page.
        var annsSession = own[0].ClientSessionId;
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Client.GetAsync($"/export/sessions/{annsSession}/events.csv")).StatusCode);
        var tools = await Lines(ann.Client, $"/export/sessions/{annsSession}/tools.csv");
        Assert.Equal("Name,Calls,Successes,Errors", tools[0]);
        Assert.Equal(team.Events.Where(e => e.SessionId == own[0].Id && e.ToolName is not null).Select(e => e.ToolName).Distinct().Count(), tools.Length - 1);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Without_a_sign_in_or_key_an_export_sends_the_browser_to_the_login_form(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        using var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await anonymous.GetAsync("/export/sessions.csv?range=7d");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/login", response.Headers.Location!.ToString());
    }

    private static async Task<string[]> Lines(HttpClient client, string url, bool header = true)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = text.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        return header ? lines : lines.Skip(1).ToArray();
    }
}
