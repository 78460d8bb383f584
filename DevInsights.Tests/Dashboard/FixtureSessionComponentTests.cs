using System.Globalization;
using System.Text.Json;
using Bunit;
using DevInsights.Core.Identity;
using DevInsights.Core.Ingestion;
using DevInsights.Tests.Infrastructure;
using DevInsights.Web.Components.Pages.Sessions;
using DevInsights.Web.Components.Pages.Shared;

namespace DevInsights.Tests.Dashboard;

/// <summary>The session page over a real Claude Code session fed through <c>POST /api/v1/events</c> (the fixture's OTLP
/// records as a collector would send them), and live: an event posted while the page is open shows up.</summary>
public sealed class FixtureSessionComponentTests(SeededAppFixture fixture) : IClassFixture<SeededAppFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_fixture_session_renders_what_claude_code_reported_and_new_events_arrive_live()
    {
        var developer = await DashboardData.CreateDeveloperAsync(fixture.App, $"fx-{Guid.NewGuid():N}@example.test", "Fay Fixture", false);
        var sessionId = "fixture-" + Guid.NewGuid().ToString("N");
        var events = FixtureFeed.ClaudeEvents(FixtureFeed.ToolScenario, sessionId);
        await FixtureFeed.PostAsync(developer.Client, events);

        await using var ctx = ComponentTestKit.Context(fixture.App, developer, Roles.Developer);
        var cut = ctx.Render<SessionDetailPage>(p => p.Add(x => x.SessionId, sessionId));
        cut.WaitForElement("[data-stat=events]", Wait);

        // What Claude Code itself printed for this run (stdout.json of the fixture).
        var stdout = JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("claude-code-2.1.328", FixtureFeed.ToolScenario, "stdout.json"))).RootElement;
        var usage = stdout.GetProperty("usage");
        var tokens = usage.GetProperty("input_tokens").GetInt64() + usage.GetProperty("output_tokens").GetInt64()
            + usage.GetProperty("cache_read_input_tokens").GetInt64() + usage.GetProperty("cache_creation_input_tokens").GetInt64();
        Assert.Equal(Format.Cost(stdout.GetProperty("total_cost_usd").GetDouble()), cut.Find("[data-stat=cost]").TextContent);
        Assert.Equal(Format.Compact(tokens), cut.Find("[data-stat=tokens]").TextContent);
        Assert.Equal(events.Count.ToString(CultureInfo.InvariantCulture), cut.Find("[data-stat=events]").TextContent);
        Assert.Equal(events.Count, cut.FindAll(".di-timeline tbody tr").Count);
        Assert.Contains("claude-sonnet-4-5-20250929", cut.Find(".di-kv").TextContent);
        // The tools it ran: Bash (ls) and Read, each once and successful.
        var tools = cut.FindAll(".di-tools tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(2, tools.Count);
        Assert.Contains(tools, t => t.Contains("Bash") && t.Contains("100.0%"));
        Assert.Contains(tools, t => t.Contains("Read") && t.Contains("100.0%"));
        var requests = events.Where(e => e.Type == "api_request").ToList();
        Assert.Equal(int.Parse(stdout.GetProperty("num_turns").ToString(), CultureInfo.InvariantCulture), requests.Count);
        foreach (var request in requests)
            Assert.Contains(cut.FindAll(".di-timeline tbody tr"), r => r.TextContent.Contains(
                $"in {Format.Count(request.InputTokens)} · out {Format.Count(request.OutputTokens)} · cache {Format.Count(request.CacheReadTokens)}/{Format.Count(request.CacheCreationTokens)}"));

        // While the page is open, the collector sends one more request: the writer commits, LiveUpdates tells the page.
        var next = events[^1] with
        {
            ClientEventId = "live-" + Guid.NewGuid().ToString("N"), Timestamp = events[^1].Timestamp.AddSeconds(5), Type = "api_request",
            Model = "claude-sonnet-4-5-20250929", InputTokens = 1234, OutputTokens = 56, CacheReadTokens = 0, CacheCreationTokens = 0, CostUsd = 0.0123,
            ToolName = null, Success = true,
        };
        await FixtureFeed.PostAsync(developer.Client, [next]);
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll(".di-timeline tbody tr"), r => r.TextContent.Contains("in 1,234 · out 56")), Wait);
        Assert.Equal((events.Count + 1).ToString(CultureInfo.InvariantCulture), cut.Find("[data-stat=events]").TextContent);
        Assert.Equal(Format.Cost(stdout.GetProperty("total_cost_usd").GetDouble() + 0.0123), cut.Find("[data-stat=cost]").TextContent);
        Assert.Contains("1 new", cut.Find("[data-testid=live-badge]").TextContent);
    }
}
