using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Infrastructure;
using Microsoft.Playwright;

namespace DevInsights.Tests.Browser;

[Trait("Category", "Browser")]
public sealed class OverviewBrowserTests
{
    [Fact]
    public async Task Overview_shows_the_seeded_figures_and_the_range_lives_in_the_url()
    {
        await using var host = await BrowserHost.StartAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var team = await DashboardData.SeedTeamAsync(host.Factory, today, days: 10);
        var page = await host.SignedInPageAsync();
        await page.GotoAsync("/?range=30d");
        await page.WaitForSelectorAsync(".di-chart svg path");
        await BrowserHost.ScreenshotAsync(page, "overview");
        var sessions = await page.Locator("[data-stat=sessions]").InnerTextAsync();
        Assert.Equal(team.Sessions.Count.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture), sessions);
    }
}
