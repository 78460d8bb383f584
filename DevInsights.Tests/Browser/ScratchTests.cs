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
        foreach (var (url, name) in new[] { ("/projects?range=30d", "s-projects"), ($"/projects/{team.Projects[0].Id}?range=30d", "s-project"), ($"/machines/{team.Machines[0].ClientMachineId}?range=30d", "s-machine"), ($"/workspaces/{team.Workspaces[0]}?range=30d", "s-workspace"), ("/team?range=30d", "s-team") })
        {
            await page.GotoAsync(url);
            await page.WaitForTimeoutAsync(2500);
            await BrowserHost.ScreenshotAsync(page, name);
        }
    }
}
