using Bunit;
using DevInsights.Core.Export;
using DevInsights.Core.Identity;
using DevInsights.Tests.Dashboard;
using DevInsights.Web.Components.Pages.Admin;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Export;

public sealed class ExportPageTests(SeededAppFixture seeded) : IClassFixture<SeededAppFixture>
{
    [Fact]
    public async Task The_page_writes_the_chosen_range_and_shows_its_progress_and_download_links()
    {
        var admin = await DashboardData.CreateDeveloperAsync(seeded.App, $"admin-{Guid.NewGuid():N}@example.test", "Ada Admin", false, Roles.Admin);
        await using var ctx = ComponentTestKit.Context(seeded.App, admin, Roles.Admin);
        var last = SeededAppFixture.LastDay;
        ComponentTestKit.GoTo(ctx, $"/admin/export?from={last.AddDays(-2):yyyy-MM-dd}&to={last:yyyy-MM-dd}&format=jsonl");
        var cut = ctx.Render<ExportPage>();

        var links = cut.FindAll("#export-links a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(ExportDataset.All.Select(d => $"api/v1/export/{d.Name}?from={last.AddDays(-2):yyyy-MM-dd}&to={last:yyyy-MM-dd}&format=jsonl"), links);

        await cut.Find("#export-run").ClickAsync(new());
        cut.WaitForElement("#export-result", TimeSpan.FromSeconds(60));
        Assert.Equal("100", cut.Find("#export-progress").GetAttribute("aria-valuenow"));
        Assert.Contains("Wrote 12 file(s)", cut.Find("#export-result").TextContent);

        var root = seeded.App.Services.GetRequiredService<ExportPaths>().Directory;
        var written = Directory.GetFiles(Path.Combine(root, "manual"), "*.jsonl", SearchOption.AllDirectories);
        Assert.Equal(12, written.Length);
        var events = written.Where(f => Path.GetFileName(f).StartsWith("events-", StringComparison.Ordinal)).Sum(f => File.ReadLines(f).Count());
        Assert.Equal(seeded.Team.Events.Count(e => DateOnly.FromDateTime(e.Timestamp) >= last.AddDays(-2)), events);
    }
}
