using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Infrastructure;

namespace DevInsights.Tests.Browser;

public sealed class ScratchTests
{
    [Fact]
    public async Task Look()
    {
        await using var host = await BrowserHost.StartAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var team = await DashboardData.SeedTeamAsync(host.Factory, today, days: 10);
        var page = await host.SignedInPageAsync();
        foreach (var (url, name) in new[] { ("/sessions?range=30d", "s-sessions"), ($"/sessions/{team.Sessions[^1].ClientSessionId}", "s-session"), ("/live", "s-live"), ("/team?range=30d", "s-team"), ("/me", "s-me") })
        {
            await page.GotoAsync(url);
            await page.WaitForTimeoutAsync(2500);
            await BrowserHost.ScreenshotAsync(page, name);
        }
    }
}
