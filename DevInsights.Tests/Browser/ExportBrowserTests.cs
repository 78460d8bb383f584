using System.Globalization;
using System.Net;
using CsvHelper;
using DevInsights.Core.Data;
using DevInsights.Core.Export;
using DevInsights.Core.Identity;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static DevInsights.Tests.Browser.AdminBrowserTests;

namespace DevInsights.Tests.Browser;

/// <summary>The admin Export page as an admin meets it: a range written as CSV files on the server, the events of that range
/// downloaded from the page's link; and the 403 page for anyone else.</summary>
[Trait("Category", "Browser")]
public sealed class ExportBrowserTests
{
    [Fact]
    public async Task Admin_writes_a_range_as_csv_and_downloads_its_events_and_a_developer_is_refused()
    {
        await using var host = await BrowserHost.StartAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var team = await DashboardData.SeedTeamAsync(host.Factory, today.AddDays(-1), days: 3);
        var (from, to) = (IsoDay.Format(team.FirstDay), IsoDay.Format(team.LastDay));
        var page = await host.SignedInPageAsync();

        // The range comes from the link; the format is chosen on the page, which then offers one download per dataset.
        await page.GotoAsync($"/admin/export?from={from}&to={to}");
        await WaitForCircuitAsync(page);
        var csvLink = page.Locator("#export-links a", new() { HasText = "events.csv" });
        var format = page.Locator("#export-format");
        var csvItem = page.Locator(".rz-dropdown-item", new() { HasText = "Csv" });
        await DashboardBrowserKit.RetryAsync(async () =>
        {
            if (!await csvItem.IsVisibleAsync()) await format.ClickAsync();
            try { await csvItem.ClickAsync(new() { Timeout = 5_000 }); }
            catch (TimeoutException) { } // the list closed under the click: the next attempt opens it again
        }, () => csvLink.IsVisibleAsync());
        await Assertions.Expect(page.Locator("#export-links a")).ToHaveTextAsync(ExportDataset.All.Select(d => $"{d.Name}.csv").ToArray());

        // Writing the files: progress ends at 100 % and every dataset has one file per day.
        await page.ClickAsync("#export-run");
        await Assertions.Expect(page.Locator("#export-result")).ToContainTextAsync($"Wrote {3 * ExportDataset.All.Count} file(s)", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#export-progress")).ToHaveAttributeAsync("aria-valuenow", "100");
        var root = host.Factory.Services.GetRequiredService<ExportPaths>().Directory;
        var written = Directory.GetFiles(Path.Combine(root, "manual"), "events-*.csv", SearchOption.AllDirectories);
        Assert.Equal(3, written.Length);
        await DialogsClosedAsync(page);
        await DashboardBrowserKit.ScreenshotAsync(page, "admin-export");

        // The download: the file the browser saves holds exactly the seeded events, in time order, with their values.
        var download = await page.RunAndWaitForDownloadAsync(() => csvLink.ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var rows = ReadCsv(await download.PathAsync());
        var expected = team.Events.OrderBy(e => e.Timestamp).ThenBy(e => e.Id).ToList();
        Assert.Equal(expected.Select(e => e.Id.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r["event_id"]));
        Assert.Equal(expected.Select(e => e.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)), rows.Select(r => r["timestamp"]));
        Assert.Equal(expected.Select(e => (e.Type, e.ToolName ?? "", e.InputTokens.ToString(CultureInfo.InvariantCulture))),
            rows.Select(r => (r["type"], r["tool_name"], r["input_tokens"])));
        Assert.Equal(expected.Sum(e => e.CostUsd ?? 0), rows.Sum(r => r["cost_usd"].Length == 0 ? 0 : double.Parse(r["cost_usd"], CultureInfo.InvariantCulture)), 9);

        // A developer signed in gets the 403 page, not the form.
        var email = ProviderApps.UniqueEmail("dev");
        await host.Factory.CreateUserClientAsync(Roles.Developer, email);
        var developer = await host.SignedInPageAsync(email, "Test-password-123");
        var refused = await developer.GotoAsync("/admin/export");
        Assert.Equal((int)HttpStatusCode.Forbidden, refused!.Status);
        await Assertions.Expect(developer.Locator("h1")).ToHaveTextAsync("Access denied");
        await Assertions.Expect(developer.Locator("[data-testid=access-denied]")).ToContainTextAsync("(Developer). Your role does not allow /admin/export.");
        await Assertions.Expect(developer.Locator("#export-run")).ToHaveCountAsync(0);
    }

    /// <summary>The rows of a CSV file, keyed by its header.</summary>
    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        var header = csv.HeaderRecord!;
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read()) rows.Add(header.ToDictionary(h => h, h => csv.GetField(h)!));
        return rows;
    }
}
