using DevInsights.Tests.Benchmarks;
using DevInsights.Tests.Infrastructure;
using Microsoft.Playwright;

namespace DevInsights.Tests.Browser;

/// <summary>Events posted to <c>POST /api/v1/events</c> reach open pages through the writer's commit notification and
/// the circuit, with no polling: within a second, asserted.</summary>
[Trait("Category", "Browser")]
public sealed class LiveBrowserTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task An_event_posted_to_the_api_appears_in_the_open_session_page_within_a_second()
    {
        await using var host = await BrowserHost.StartAsync();
        var probe = await LiveLatencyBenchmark.OpenSessionAsync(host);

        var (sent, _, seen) = await probe.SendAsync("probe-one", Second);

        Assert.InRange(seen - sent, 0, 1000);
        var row = probe.Page.Locator(".di-timeline tbody tr", new PageLocatorOptions { HasText = "probe-one" });
        await Assertions.Expect(row).ToContainTextAsync("tool_result");
        // The newest event is the first row of the timeline.
        await Assertions.Expect(probe.Page.Locator(".di-timeline tbody tr").First).ToContainTextAsync("probe-one");
    }

    [Fact]
    public async Task The_live_page_shows_a_posted_event_within_a_second_and_holds_events_while_paused()
    {
        await using var host = await BrowserHost.StartAsync();
        var probe = await LiveLatencyBenchmark.OpenSessionAsync(host);
        var page = probe.Page;
        await page.GotoAsync("/live");
        await Assertions.Expect(page.Locator(".di-live tbody tr", new PageLocatorOptions { HasText = "probe-warmup" })).ToBeVisibleAsync();
        // The circuit is up once the pause button works; resume straight away.
        await DashboardBrowserKit.RetryAsync(() => page.ClickAsync("[data-testid=pause]"),
            async () => (await page.InnerTextAsync("[data-testid=live-state]")).StartsWith("Paused", StringComparison.Ordinal));
        await page.ClickAsync("[data-testid=pause]");
        await Assertions.Expect(page.Locator("[data-testid=live-state]")).ToHaveTextAsync("Receiving");

        var sent = DateTimeOffset.UtcNow;
        await probe.PostAsync("live-1", "tool_result", "probe-live-1");
        await page.Locator(".di-live tbody tr", new PageLocatorOptions { HasText = "probe-live-1" })
            .WaitForAsync(new LocatorWaitForOptions { Timeout = 1000 });
        Assert.InRange((DateTimeOffset.UtcNow - sent).TotalMilliseconds, 0, 1000);

        await page.ClickAsync("[data-testid=pause]");
        await probe.PostAsync("live-2", "tool_result", "probe-live-2");
        await Assertions.Expect(page.Locator("[data-testid=live-state]")).ToHaveTextAsync("Paused · 1 waiting");
        Assert.Equal(0, await page.Locator(".di-live tbody tr", new PageLocatorOptions { HasText = "probe-live-2" }).CountAsync());
        await page.ClickAsync("[data-testid=pause]");
        await Assertions.Expect(page.Locator(".di-live tbody tr").First).ToContainTextAsync("probe-live-2");
    }
}
