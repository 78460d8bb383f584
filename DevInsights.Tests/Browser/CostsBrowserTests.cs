using DevInsights.Core.Costs;
using DevInsights.Core.Data;
using DevInsights.Core.Jobs;
using DevInsights.Tests.Costs;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Otlp.Integration;
using DevInsights.Web.Components.Pages.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static DevInsights.Tests.Browser.AdminBrowserTests;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Browser;

/// <summary>The costs feature as an admin meets it: a provider job run from the Jobs page, a price added on the Prices page,
/// real Codex and Claude Code telemetry, and the three figures on the Costs page.</summary>
[Trait("Category", "Browser")]
public sealed class CostsBrowserTests
{
    private const string Completions = "/v1/organization/usage/completions";
    private const string CostsPath = "/v1/organization/costs";
    private const string UnpricedRun = "a-simple-prompt-json", PricedRun = "b-shell-tool-json", ClaudeRun = "b-tool-use-json";

    [Fact]
    public async Task Admin_runs_a_provider_job_prices_a_model_and_reads_the_costs_of_real_telemetry()
    {
        // The fixtures' telemetry was recorded on one day; OpenAI's organisation API (served from 127.0.0.1) bills that day
        // for gpt-5.5 what tokens × the price set below give for the priced Codex run, in two cost lines.
        var day = DateOnly.FromDateTime(ReceivedAt);
        var codexCost = Events(Codex, PricedRun).Sum(e => (e.InputTokens * 2 + e.CacheReadTokens * 0.2 + e.OutputTokens * 16) / 1e6);
        var billedInput = Math.Round(codexCost * 0.4, 6);
        var billedOutput = Math.Round(codexCost - billedInput, 6);
        await using var openai = await FakeProviderServer.StartAsync();
        openai.Map(Completions, (r, _) => ProviderTestKit.Page(Bucket(day, UsageResult), StartTime(r), r.Query["page"], 31));
        openai.Map(CostsPath, (r, _) => ProviderTestKit.Page(Bucket(day, CostResults(billedInput, billedOutput)), StartTime(r), r.Query["page"], 31));
        await using var host = await BrowserHost.StartAsync(new Dictionary<string, string?>
        {
            ["DevInsights:Providers:OpenAI:BaseUrl"] = openai.BaseUrl,
            ["DevInsights:Providers:OpenAI:AdminKey"] = ProviderTestKit.OpenAIKey,
            // The first run reaches back to the fixtures' day, however long ago that is.
            ["DevInsights:Providers:OpenAI:BackfillDays"] = (ProviderTestKit.Today - day.ToDateTime(TimeOnly.MinValue)).Days.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var page = await host.SignedInPageAsync();

        // Jobs: run openai-usage now; its result and last run appear in the grid without a reload.
        await page.GotoAsync("/admin/jobs");
        await WaitForCircuitAsync(page);
        var row = page.Locator("#jobs-grid tr", new() { Has = page.Locator(".di-job-name", new() { HasText = "openai-usage" }) });
        await Assertions.Expect(row).ToContainTextAsync("never");
        await page.Locator("button.di-run-job[data-job='openai-usage']").ClickAsync();
        await Assertions.Expect(row.Locator(".di-job-status")).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
        var run = await LastRunAsync(host, "openai-usage");
        Assert.Equal(("succeeded", "page"), (run.Status, run.Trigger));
        var until = day.AddDays(1);
        Assert.Equal($"OpenAI: usage 1 bucket(s) in 1 page(s), 1 new, 0 updated, complete until {until:yyyy-MM-dd} 00:00 UTC; "
            + $"costs 1 bucket(s) in 1 page(s), 2 new, 0 updated, complete until {until:yyyy-MM-dd} 00:00 UTC", run.Summary);
        await Assertions.Expect(row.Locator(".di-job-summary")).ToHaveTextAsync(run.Summary!);
        await Assertions.Expect(row).ToContainTextAsync($"{run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC (page)");
        await FitsAsync(page, "#jobs-grid");
        await DialogsClosedAsync(page);
        await DashboardBrowserKit.ScreenshotAsync(page, "admin-jobs");

        // Real Codex telemetry before gpt-5.5 has a price: its events with tokens are counted as unpriced, never $0.
        var (collector, _, _) = await host.Factory.CreateUserClientAsync();
        collector.BaseAddress = host.BaseAddress;
        var unpriced = Events(Codex, UnpricedRun).Count(e => e.InputTokens + e.OutputTokens + e.CacheReadTokens + e.CacheCreationTokens > 0);
        Assert.True(unpriced > 0);
        await collector.PostScenarioAsync(OtlpIntegrationKit.ScenarioRequests(Codex, UnpricedRun));
        Assert.Equal(day, await SessionDayAsync(host, OtlpIntegrationKit.CodexSessionId(UnpricedRun)));
        var costsUrl = $"/costs?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}&groupBy=model";
        await page.GotoAsync(costsUrl);
        await WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-stat=unpriced]")).ToHaveTextAsync(Format.Count(unpriced));
        await Assertions.Expect(page.Locator("[data-stat=computed]")).ToHaveTextAsync(Format.Cost(null));

        // Prices: an admin prices gpt-5.5 from the first of the fixture's year, and the version is listed.
        await page.GotoAsync("/admin/prices");
        await WaitForCircuitAsync(page);
        var effective = new DateOnly(day.Year, 1, 1);
        var listed = page.Locator("#prices-grid tr", new() { HasText = "gpt-5.5" });
        // On a busy machine a pick or a typed value can be lost while the form re-renders (the add is then refused with a
        // validation message): the whole form is filled again until the price is listed or its "added" notice shows.
        var added = page.Locator(".rz-notification-item", new() { HasText = "Price added" });
        for (var attempt = 0; attempt < 4 && await listed.CountAsync() == 0 && !await added.IsVisibleAsync(); attempt++)
        {
            await DashboardBrowserKit.RetryAsync(() => page.ClickAsync("#price-provider"),
                () => page.Locator(".rz-dropdown-item", new() { HasText = "openai" }).IsVisibleAsync());
            await page.Locator(".rz-dropdown-item", new() { HasText = "openai" }).ClickAsync();
            await FillAsync(page, "#price-model", "gpt-5.5");
            await FillAsync(page, "#price-effective", effective.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            await FillAsync(page, "#price-input", "2");
            await FillAsync(page, "#price-output", "16");
            await FillAsync(page, "#price-read", "0.2");
            await page.ClickAsync("#add-price");
            for (var wait = 0; wait < 80 && await listed.CountAsync() == 0 && !await added.IsVisibleAsync(); wait++) await Task.Delay(100);
        }
        await Assertions.Expect(listed).ToHaveCountAsync(1);
        foreach (var cell in new[] { "openai", $"{effective:yyyy-MM-dd}", "16", "0.2", BrowserHost.AdminEmail })
            await Assertions.Expect(listed).ToContainTextAsync(cell);
        await FitsAsync(page, "#prices-grid");
        await DialogsClosedAsync(page);
        // The screenshot shows the price table (below the forms).
        await page.EvaluateAsync("() => document.querySelector('#prices-grid').scrollIntoView({ block: 'start' })");
        await DashboardBrowserKit.ScreenshotAsync(page, "admin-prices");

        // Then more Codex work (priced at arrival with that version) and a Claude Code session (its own cost kept).
        await collector.PostScenarioAsync(OtlpIntegrationKit.ScenarioRequests(Codex, PricedRun));
        await collector.PostScenarioAsync(OtlpIntegrationKit.ScenarioRequests(Claude, ClaudeRun));
        var claudeCost = ClaudeStdout(ClaudeRun).GetProperty("total_cost_usd").GetDouble();
        Assert.True(codexCost > 0.01 && claudeCost > 0.01, $"{codexCost} {claudeCost}");
        Assert.Equal(day, await SessionDayAsync(host, OtlpIntegrationKit.ClaudeSessionId(ClaudeRun)));

        // Costs: Claude Code's estimate, tokens × price of both, and the earlier Codex run still unpriced (priced at arrival).
        await page.GotoAsync(costsUrl);
        await WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-stat=billed]")).ToHaveTextAsync(Format.Cost(billedInput + billedOutput));
        await Assertions.Expect(page.Locator("[data-stat=estimated]")).ToHaveTextAsync(Format.Cost(claudeCost));
        await Assertions.Expect(page.Locator("[data-stat=computed]")).ToHaveTextAsync(Format.Cost(codexCost + claudeCost));
        await Assertions.Expect(page.Locator("[data-stat=unpriced]")).ToHaveTextAsync(Format.Count(unpriced));
        var gpt = page.Locator("#costs-grid tr", new() { HasText = "gpt-5.5" });
        await Assertions.Expect(gpt.Locator("td").Nth(1)).ToHaveTextAsync(Format.Cost(billedInput + billedOutput));
        await Assertions.Expect(gpt.Locator("td").Nth(3)).ToHaveTextAsync(Format.Cost(codexCost));
        await Assertions.Expect(gpt.Locator("td").Nth(4)).ToContainTextAsync($"{Format.Count(unpriced)} (");
        // Billed and computed agree, so the only thing to look at is the unpriced earlier run.
        await Assertions.Expect(gpt.Locator(".di-cost-gap")).ToHaveTextAsync(CostGaps.Unpriced);
        var sonnet = page.Locator("#costs-grid tr", new() { HasText = "claude-sonnet-4-5" });
        await Assertions.Expect(sonnet.Locator("td").Nth(2)).ToHaveTextAsync(Format.Cost(claudeCost));
        await Assertions.Expect(sonnet.Locator("td").Nth(3)).ToHaveTextAsync(Format.Cost(claudeCost));
        // Anthropic has no admin key here, so nothing billed Claude Code's spend.
        await Assertions.Expect(sonnet.Locator(".di-cost-gap")).ToHaveTextAsync(CostGaps.TelemetryWithoutBilling);
        await FitsAsync(page, "#costs-grid");
        await DashboardBrowserKit.WaitForChartsAsync(page);
        await DashboardBrowserKit.ScreenshotAsync(page, "costs");

        // Re-pricing: the Prices page lists the earlier run's events as unpriced usage now priced; one click prices them.
        await page.GotoAsync("/admin/prices");
        await WaitForCircuitAsync(page);
        var waiting = page.Locator("#unpriced-models tr", new() { HasText = "gpt-5.5" });
        await Assertions.Expect(waiting).ToContainTextAsync(Format.Count(unpriced));
        await Assertions.Expect(waiting).ToContainTextAsync("priced now: re-price");
        await DashboardBrowserKit.RetryAsync(() => page.ClickAsync("#reprice-events"), () => page.Locator("#reprice-result").IsVisibleAsync());
        await Assertions.Expect(page.Locator("#reprice-result")).ToContainTextAsync($"re-priced {unpriced:N0} ({unpriced:N0} previously unpriced)",
            new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#unpriced-none")).ToBeVisibleAsync();

        await page.GotoAsync(costsUrl);
        await WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-stat=unpriced]")).ToHaveTextAsync(Format.Count(0));
        await Assertions.Expect(page.Locator("[data-stat=computed]")).ToHaveTextAsync(Format.Cost(await ComputedCostAsync(host)));
    }

    private static async Task<double> ComputedCostAsync(BrowserHost host)
    {
        await using var db = await host.Factory.DbAsync();
        var costs = await db.Events.AsNoTracking().Where(e => e.ComputedCostUsd != null).Select(e => e.ComputedCostUsd!.Value).ToListAsync();
        Assert.True(costs.Count > 0);
        return costs.Sum();
    }

    /// <summary>The grid shows every column at 1280×800 without scrolling sideways (the Jobs grid once hid "Run now" off to the
    /// right, the Costs grid its gap notes, and the Prices grid its notes).</summary>
    private static async Task FitsAsync(IPage page, string grid)
    {
        var widths = await page.EvaluateAsync<int[]>($$"""
            () => { const d = document.querySelector('{{grid}} .rz-data-grid-data'); return [d.scrollWidth, d.clientWidth]; }
            """);
        Assert.True(widths[0] <= widths[1] + 1, $"{grid} is {widths[0]} px wide in {widths[1]} px");
    }

    /// <summary>Types into a Radzen input (the id is on the input or on its wrapper) and leaves it, so the value is bound.</summary>
    private static async Task FillAsync(IPage page, string id, string value)
    {
        var input = page.Locator($"input{id}, {id} input").First;
        await input.FillAsync(value);
        await input.PressAsync("Tab");
    }

    private static readonly object[] UsageResult =
    [
        new
        {
            @object = "organization.usage.completions.result", input_tokens = 21_000, input_cached_tokens = 9_000, output_tokens = 1_200,
            num_model_requests = 4, project_id = "proj_web", user_id = "user_1", api_key_id = "key_1", model = "gpt-5.5",
        },
    ];

    private static object[] CostResults(double input, double output) =>
    [
        new { @object = "organization.costs.result", amount = new { value = input, currency = "usd" }, line_item = "gpt-5.5, input", project_id = "proj_web" },
        new { @object = "organization.costs.result", amount = new { value = output, currency = "usd" }, line_item = "gpt-5.5, output", project_id = "proj_web" },
    ];

    /// <summary>One daily bucket holding <paramref name="results"/>.</summary>
    private static List<(DateTime, object)> Bucket(DateOnly day, object[] results)
    {
        var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return [(start, new
        {
            @object = "bucket",
            start_time = new DateTimeOffset(start).ToUnixTimeSeconds(),
            end_time = new DateTimeOffset(start.AddDays(1)).ToUnixTimeSeconds(),
            results,
        })];
    }

    private static DateTime StartTime(HttpRequest r) =>
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(r.Query["start_time"]!, System.Globalization.CultureInfo.InvariantCulture)).UtcDateTime;

    private static async Task<JobRun> LastRunAsync(BrowserHost host, string job)
    {
        await using var db = await host.Factory.DbAsync();
        return await db.Set<JobRun>().AsNoTracking().Where(r => r.JobName == job).OrderByDescending(r => r.Id).FirstAsync();
    }

    private static async Task<DateOnly> SessionDayAsync(BrowserHost host, string clientSessionId)
    {
        await using var db = await host.Factory.DbAsync();
        return DateOnly.FromDateTime((await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == clientSessionId)).StartedAt);
    }
}
