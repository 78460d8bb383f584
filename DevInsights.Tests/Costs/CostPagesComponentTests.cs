using Bunit;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Core.Jobs;
using DevInsights.Core.Providers;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Jobs;
using DevInsights.Tests.Otlp.Integration;
using DevInsights.Web.Components.Pages.Costs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Costs;

/// <summary>The Jobs and Costs pages rendered with bunit against a real app: progress pushed while a job runs, and the
/// three cost figures with a gap highlighted.</summary>
public sealed class CostPagesComponentTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_Jobs_page_shows_a_runs_progress_as_it_happens_and_its_result()
    {
        var probe = new JobProbe();
        await using var host = await JobsTestHost.CreateAsync(DatabaseProvider.Sqlite, s =>
        {
            s.AddSingleton(probe);
            s.AddDevInsightsJob<GateJob>();
        });
        await using var ctx = ComponentTestKit.Context(host.Services, "admin@example.test", "admin-id", Roles.Admin);
        var page = ctx.Render<Web.Components.Pages.Admin.Jobs>();
        page.WaitForAssertion(() => Assert.Contains("test-gate", page.Markup), Wait);
        Assert.Contains("openai-usage", page.Markup);
        Assert.Contains("no admin key configured", page.Markup);

        // Started elsewhere (the API): the page learns of it from the runner, without polling.
        var run = host.Services.GetRequiredService<JobRunner>().RunAsync("test-gate", "api");
        await probe.Started.Task.WaitAsync(Wait);
        page.WaitForAssertion(() => Assert.Contains("half way", page.Find(".di-job-progress[data-job='test-gate']").TextContent), Wait);
        Assert.True(page.Find("button.di-run-job[data-job='test-gate']").HasAttribute("disabled"));

        probe.Release.SetResult();
        await run;
        page.WaitForAssertion(() =>
        {
            Assert.Empty(page.FindAll(".di-job-progress"));
            Assert.Contains("Run 1 done", page.Markup);
            Assert.Contains("succeeded", page.Markup);
        }, Wait);
    }

    [Fact]
    public async Task The_Costs_page_shows_billed_estimated_and_computed_figures_with_gaps()
    {
        await using var host = await JobsTestHost.CreateAsync(DatabaseProvider.Sqlite, _ => { });
        var client = await host.ClientAsync(Roles.Developer);
        const string scenario = "a-simple-prompt-json";
        await client.PostScenarioAsync(OtlpIntegrationKit.ScenarioRequests(Claude, scenario));
        var total = ClaudeStdout(scenario).GetProperty("total_cost_usd").GetDouble();
        DateTime day;
        await using (var db = await host.DbAsync())
        {
            day = (await db.Sessions.SingleAsync(s => s.ClientSessionId == OtlpIntegrationKit.ClaudeSessionId(scenario))).StartedAt.Date;
            db.Add(new ProviderCost
            {
                Provider = "anthropic", BucketStart = day.AddDays(-1), BucketEnd = day, GroupKey = "w", ProjectRef = "wrkspc_x", ApiKeyRef = "",
                LineItem = "usage", Model = "", AmountUsd = 4.25, FetchedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        await using var ctx = ComponentTestKit.Context(host.Services, "lead@example.test", "lead-id", Roles.TeamLead);
        ComponentTestKit.GoTo(ctx, $"/costs?from={day.AddDays(-1):yyyy-MM-dd}&to={day:yyyy-MM-dd}&groupBy=day");
        var page = ctx.Render<CostsPage>();

        page.WaitForAssertion(() =>
        {
            Assert.Equal(Web.Components.Pages.Shared.Format.Cost(4.25), page.Find("[data-stat='billed']").TextContent.Trim());
            Assert.Equal(Web.Components.Pages.Shared.Format.Cost(total), page.Find("[data-stat='estimated']").TextContent.Trim());
            Assert.Equal(Web.Components.Pages.Shared.Format.Cost(total), page.Find("[data-stat='computed']").TextContent.Trim());
        }, Wait);
        Assert.Contains("billed-without-telemetry", page.Find(".di-cost-gap-row").TextContent);
        Assert.Contains("telemetry-without-billing", page.Markup);
        Assert.NotEmpty(page.FindAll("[data-chart='costs-per-day'] .rz-chart"));
    }
}
