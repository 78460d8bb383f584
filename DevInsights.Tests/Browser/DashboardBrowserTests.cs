using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Infrastructure;
using DevInsights.Web.Components.Pages.Shared;
using Microsoft.Playwright;
using static DevInsights.Tests.Browser.DashboardBrowserKit;

namespace DevInsights.Tests.Browser;

/// <summary>Every dashboard page in Chromium over a seeded team: real figures, filters that change the URL and the
/// result, paging, and a 1280×800 screenshot of each page for docs/screenshots.</summary>
[Trait("Category", "Browser")]
public sealed class DashboardBrowserTests(DashboardHostFixture fixture) : IClassFixture<DashboardHostFixture>
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private SeededTeam Team => fixture.Team;

    [Fact]
    public async Task Overview_shows_the_figures_and_keeps_range_stack_and_theme_across_reloads()
    {
        var page = await fixture.Host.SignedInPageAsync();
        await page.GotoAsync("/");
        await WaitForChartsAsync(page);
        var lastWeek = Team.Sessions.Count(s => DateOnly.FromDateTime(s.StartedAt) > Today.AddDays(-7));
        Assert.Equal(Format.Count(lastWeek), await StatAsync(page, "sessions"));
        await ScreenshotAsync(page, "overview");

        await ClickUntilUrlAsync(page, page.Locator(".di-range button", new() { HasText = "30 days" }), u => u.Contains("range=30d"));
        await Assertions.Expect(page.Locator("[data-stat=sessions]")).ToHaveTextAsync(Format.Count(Team.Sessions.Count));
        Assert.Equal(Format.Cost(Team.Events.Sum(e => e.CostUsd ?? 0)), await StatAsync(page, "cost"));

        await ClickUntilUrlAsync(page, page.Locator(".rz-selectbar button", new() { HasText = "By client" }), u => u.Contains("stack=client"));
        await Assertions.Expect(page.Locator("[data-chart=tokens] .rz-legend-item-text").First).ToHaveTextAsync("claude-code");
        var legend = await page.Locator("[data-chart=tokens] .rz-legend-item-text").AllInnerTextsAsync();
        Assert.Equal(Team.Sessions.Select(s => s.Client).Distinct().Order(), legend.Select(l => l.Trim()).Order());

        // The URL alone reproduces the view: a reload (or a bookmark) shows the same range and stacking.
        await page.ReloadAsync();
        await WaitForChartsAsync(page);
        Assert.Equal(Format.Count(Team.Sessions.Count), await StatAsync(page, "sessions"));
        Assert.Equal("claude-code", (await page.Locator("[data-chart=tokens] .rz-legend-item-text").First.InnerTextAsync()).Trim());

        // Dark theme: chosen once, kept in a cookie, applied from the first paint of the next page.
        var theme = page.Locator("link[href*='material-dark']");
        await RetryAsync(() => page.Locator("[title='Light or dark theme']").ClickAsync(), async () => await theme.CountAsync() > 0);
        await page.ReloadAsync();
        Assert.Equal(1, await page.Locator("link[href*='material-dark']").CountAsync());
        await WaitForChartsAsync(page);
        await ScreenshotAsync(page, "overview-dark");
    }

    [Fact]
    public async Task Sessions_grid_pages_sorts_and_filters_through_the_url()
    {
        var page = await fixture.Host.SignedInPageAsync();
        await page.GotoAsync("/sessions?range=30d");
        var rows = page.Locator(".di-sessions tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(25);
        Assert.True(Team.Sessions.Count > 25, "the seed must fill more than one page");
        await ScreenshotAsync(page, "sessions");
        var newest = Team.Sessions.OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id).ToList();
        Assert.Equal(Format.Time(newest[0].StartedAt), await rows.First.Locator("td").First.InnerTextAsync());

        await ClickUntilUrlAsync(page, page.Locator(".rz-pager-page", new() { HasText = "2" }), u => u.Contains("page=2"));
        await Assertions.Expect(rows).ToHaveCountAsync(Team.Sessions.Count - 25);
        Assert.Equal(Format.Time(newest[25].StartedAt), await rows.First.Locator("td").First.InnerTextAsync());

        // Sorting by cost starts over at page 1, cheapest first.
        await ClickUntilUrlAsync(page, page.Locator(".di-sessions th", new() { HasText = "Cost" }), u => u.Contains("sort=cost"));
        Assert.DoesNotContain("page=", page.Url);
        var cheapest = Team.Sessions.OrderBy(s => s.CostUsd).ThenBy(s => s.Id).First();
        await Assertions.Expect(rows.First.Locator("td").First).ToHaveTextAsync(Format.Time(cheapest.StartedAt));

        await ChooseAsync(page, "filter-client", "codex", u => u.Contains("client=codex"));
        var codex = Team.Sessions.Count(s => s.Client == "codex");
        await Assertions.Expect(rows).ToHaveCountAsync(codex);
        Assert.All(await page.Locator(".di-sessions tbody tr td:nth-child(4)").AllInnerTextsAsync(), c => Assert.Equal("codex", c.Trim()));
    }

    [Fact]
    public async Task A_session_page_shows_its_timeline_with_tokens_and_cost_as_text()
    {
        var session = Team.Sessions.OrderByDescending(s => s.EventCount).First();
        var page = await fixture.Host.SignedInPageAsync();
        await page.GotoAsync("/" + Links.Session(session.ClientSessionId));
        await WaitForChartsAsync(page);
        var events = Team.Events.Where(e => e.SessionId == session.Id).ToList();
        Assert.Equal(Format.Count(events.Count), await StatAsync(page, "events"));
        await Assertions.Expect(page.Locator(".di-timeline tbody tr")).ToHaveCountAsync(events.Count);
        var request = events.First(e => e.Type == "api_request");
        var row = page.Locator(".di-timeline tbody tr", new() { Has = page.Locator($"[data-event-id='{request.Id}']") });
        await Assertions.Expect(row).ToContainTextAsync($"in {Format.Count(request.InputTokens)} · out {Format.Count(request.OutputTokens)}");
        await Assertions.Expect(row).ToContainTextAsync(Format.Cost(request.CostUsd!.Value));
        await ScreenshotAsync(page, "session");
    }

    [Fact]
    public async Task Projects_filter_by_name_and_a_project_pages_its_events_by_type()
    {
        var page = await fixture.Host.SignedInPageAsync();
        await page.GotoAsync("/projects?range=30d");
        var rows = page.Locator(".di-projects tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await ScreenshotAsync(page, "projects");
        var web = Team.Projects.Single(p => p.Name.Contains("-web-"));
        await RetryAsync(async () =>
        {
            await page.FillAsync("input[name=project-search]", "web");
            await page.PressAsync("input[name=project-search]", "Tab");
        }, () => Task.FromResult(page.Url.Contains("q=web")));
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync(web.Name);

        await page.GotoAsync($"/{Links.Project(web.Id)}?range=30d");
        await WaitForChartsAsync(page);
        await Assertions.Expect(page.Locator(".di-tree [data-machine]")).ToHaveCountAsync(Team.Machines.Count);
        await ScreenshotAsync(page, "project");

        var all = Team.Events.Count(e => e.ProjectId == web.Id);
        Assert.True(all > 50, "the seed must fill more than one page of events");
        await Assertions.Expect(page.Locator("[data-testid=event-count]")).ToHaveTextAsync("50 events shown");
        await ClickUntilUrlAsync(page, page.Locator("[data-testid=load-more]"), _ => true);
        await Assertions.Expect(page.Locator("[data-testid=event-count]")).ToHaveTextAsync($"{Math.Min(100, all)} events shown");

        await ChooseAsync(page, "event-type", "tool_result", u => u.Contains("type=tool_result"));
        var tools = Team.Events.Count(e => e.ProjectId == web.Id && e.Type == "tool_result");
        await Assertions.Expect(page.Locator("[data-testid=event-count]")).ToHaveTextAsync($"{Math.Min(50, tools)} events shown");
        Assert.All(await page.Locator(".di-project-events tbody tr td:nth-child(2)").AllInnerTextsAsync(), t => Assert.Equal("tool_result", t.Trim()));
    }

    [Fact]
    public async Task Machine_and_workspace_pages_show_their_context_and_sessions()
    {
        var page = await fixture.Host.SignedInPageAsync();
        var (machineId, machine, _) = Team.Machines[0];
        await page.GotoAsync($"/{Links.Machine(machine)}?range=30d");
        await Assertions.Expect(page.Locator("[data-testid=machine-context]")).ToContainTextAsync("linux 6.8 arm64");
        var lastTelemetry = Team.Sessions.Where(s => s.MachineId == machineId).Max(s => s.LastEventAt);
        await Assertions.Expect(page.Locator("[data-testid=last-telemetry]")).ToHaveTextAsync(Format.Time(lastTelemetry) + " UTC");
        await Assertions.Expect(page.Locator(".di-workspaces tbody tr")).ToHaveCountAsync(2);
        await ScreenshotAsync(page, "machine");

        var workspace = Team.Workspaces[0];
        await page.GotoAsync($"/{Links.Workspace(workspace)}?range=30d");
        await Assertions.Expect(page.Locator("[data-testid=branch]")).ToHaveTextAsync("main");
        await Assertions.Expect(page.Locator("[data-testid=commit]")).ToHaveTextAsync("3f9c2a1");
        await ScreenshotAsync(page, "workspace");
    }

    [Fact]
    public async Task The_live_feed_filters_by_type_through_the_url()
    {
        var page = await fixture.Host.SignedInPageAsync();
        await page.GotoAsync("/live");
        await Assertions.Expect(page.Locator(".di-live tbody tr")).ToHaveCountAsync(50);
        await ScreenshotAsync(page, "live");
        await ChooseAsync(page, "live-type", "api_request", u => u.Contains("type=api_request"));
        // Wait for the filtered render itself (on a loaded machine it can take longer than the default 5 s).
        var types = page.Locator(".di-live tbody tr td:nth-child(2)");
        await Assertions.Expect(types.First).ToHaveTextAsync("api_request", new() { Timeout = 20_000 });
        await Assertions.Expect(types.Filter(new() { HasNotTextRegex = new System.Text.RegularExpressions.Regex(@"^\s*api_request\s*$") }))
            .ToHaveCountAsync(0, new() { Timeout = 20_000 });
        Assert.All(await types.AllInnerTextsAsync(), t => Assert.Equal("api_request", t.Trim()));
    }

    [Fact]
    public async Task Team_lists_volunteers_and_me_saves_a_developers_settings()
    {
        var page = await fixture.Host.SignedInPageAsync();
        await page.GotoAsync("/team?range=30d");
        await WaitForChartsAsync(page);
        var names = await page.Locator(".di-leaderboard tbody tr td:nth-child(2)").AllInnerTextsAsync();
        Assert.Equal(["Ann Lee", "Chen Wu"], names.Select(n => n.Trim()).Order());
        await ScreenshotAsync(page, "team");

        var bob = Team.Developers[1];
        var mine = await fixture.Host.SignedInPageAsync(bob.Email, "Test-password-123");
        await mine.GotoAsync("/me?range=30d");
        await WaitForChartsAsync(mine);
        Assert.Equal(Format.Count(Team.Sessions.Count(s => s.DeveloperId == bob.Id)), await StatAsync(mine, "sessions"));
        await ScreenshotAsync(mine, "me");
        await RetryAsync(() => mine.Locator(".rz-switch").ClickAsync(), () => mine.Locator(".rz-switch-checked").IsVisibleAsync());
        await mine.ClickAsync("[data-testid=save-settings]");
        await Assertions.Expect(mine.Locator("[data-testid=settings-status]")).ToHaveTextAsync("Saved.");

        // Bob opted in: the team page now ranks him too.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".di-leaderboard tbody tr")).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task Tables_export_as_csv_with_the_pages_filters()
    {
        var page = await fixture.Host.SignedInPageAsync();
        var response = await page.APIRequest.GetAsync("/export/sessions.csv?range=30d&client=codex");
        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/csv", response.Headers["content-type"]);
        var lines = (await response.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("SessionId,StartedAt,EndedAt,Developer,Project,Client", lines[0]);
        Assert.Equal(Team.Sessions.Count(s => s.Client == "codex"), lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Contains(",codex,", l));

        var session = Team.Sessions[0];
        var events = await page.APIRequest.GetAsync($"/export/{Links.Session(session.ClientSessionId)}/events.csv");
        var eventLines = (await events.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Team.Events.Count(e => e.SessionId == session.Id) + 1, eventLines.Length);
        Assert.Equal(404, (await page.APIRequest.GetAsync("/export/sessions/no-such-session/events.csv")).Status);
    }
}

/// <summary>A server with no telemetry at all.</summary>
[Trait("Category", "Browser")]
public sealed class EmptyDashboardBrowserTests
{
    [Fact]
    public async Task Without_telemetry_the_overview_explains_how_to_connect_claude_code()
    {
        await using var host = await BrowserHost.StartAsync();
        var page = await host.SignedInPageAsync();
        await page.GotoAsync("/");
        var snippet = page.Locator("[data-testid=connect-snippet]");
        await Assertions.Expect(snippet).ToContainTextAsync("CLAUDE_CODE_ENABLE_TELEMETRY=1");
        var text = await snippet.InnerTextAsync();
        foreach (var line in new[] { "OTEL_METRICS_EXPORTER=otlp", "OTEL_LOGS_EXPORTER=otlp", "OTEL_EXPORTER_OTLP_PROTOCOL=http/json",
            $"OTEL_EXPORTER_OTLP_ENDPOINT={host.BaseAddress.ToString().TrimEnd('/')}", "OTEL_EXPORTER_OTLP_HEADERS=x-api-key=" })
            Assert.Contains(line, text);
        await ScreenshotAsync(page, "overview-empty");
    }
}
