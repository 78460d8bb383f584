using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Core.Jobs;
using DevInsights.Core.Pricing;
using DevInsights.Core.Rollups;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Costs.RepricingTestKit;

namespace DevInsights.Tests.Costs;

/// <summary>The <c>reprice</c> job: stored events priced again when their model gets a price or their version is overridden,
/// with every rollup kept equal to the raw events and the clients' own costs untouched.</summary>
public sealed class RepricingTests
{
    private static readonly DateTime Day1 = new(2026, 3, 10, 9, 0, 0, DateTimeKind.Utc);

    [Theory, BothProviders]
    public async Task A_price_added_for_an_unpriced_model_prices_its_stored_events_once(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (developer, _, _) = await app.CreateUserClientAsync();
        string codex = IngestionTestKit.NewSessionId(), claude = IngestionTestKit.NewSessionId();
        var accepted = await (await developer.PostEventsAsync(new List<Dictionary<string, object?>>
        {
            Request(codex, "c1", Day1, "acme-coder-1", 1200, 300, 4000, client: "codex"),
            Tool(codex, "c2", Day1.AddSeconds(5)),
            Request(codex, "c3", Day1.AddMinutes(1), "acme-coder-1", 800, 150),
            Request(codex, "c4", Day1.AddDays(1), "acme-coder-1-20260301", 2000, 500, 10_000),
            Request(codex, "c5", Day1.AddDays(1).AddMinutes(3), "acme-coder-1", 50, 20),
        })).ReadAcceptedAsync();
        Assert.Equal(5, accepted.Accepted);
        accepted = await (await developer.PostEventsAsync(new List<Dictionary<string, object?>>
        {
            // Claude Code reports its own cost: it stays the event's cost, the computed one goes beside it.
            Request(claude, "k1", Day1.AddHours(2), "acme-coder-1", 3000, 900, clientCost: 0.0421, client: "claude-code"),
            Request(claude, "k2", Day1.AddHours(2).AddMinutes(1), "claude-sonnet-4-5", 1000, 100, 2000, clientCost: 0.0075),
        })).ReadAcceptedAsync();
        Assert.Equal(2, accepted.Accepted);

        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<DevInsightsDbContext>>();
        var catalog = app.Services.GetRequiredService<PriceCatalog>();
        var runner = app.Services.GetRequiredService<JobRunner>();
        long projectId;
        List<Core.Sessions.AgentEvent> before;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            projectId = (await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == codex)).ProjectId;
            before = await ProjectEventsAsync(db, projectId);
            Assert.Equal(5, before.Count(e => e.Model?.StartsWith("acme", StringComparison.Ordinal) == true && e.PriceId is null));
            await AssertRollupsEqualEventsAsync(db, projectId);
        }
        var unpriced = Assert.Single(await catalog.UnpricedModelsAsync(), m => m.Model == "acme-coder-1");
        Assert.Equal((4L, 3000L + 1200 + 300 + 4000 + 800 + 150 + 50 + 20 + 900, false), (unpriced.Events, unpriced.Tokens, unpriced.PricedNow));
        Assert.Equal(1, (await catalog.UnpricedModelsAsync()).Single(m => m.Model == "acme-coder-1-20260301").Events);
        // The rollups job has folded the unpriced costs in: re-pricing must make it fold them again.
        Assert.True((await runner.RunAsync(RollupJob.JobName, "manual")).Succeeded);

        var price = await catalog.AddAsync(new PriceInput("openai", "acme-coder-1", new DateOnly(2026, 1, 1), 2, 8, null, null, 0.5, "test"), "tester");
        Assert.True((await catalog.UnpricedModelsAsync()).Where(m => m.Model.StartsWith("acme", StringComparison.Ordinal)).All(m => m.PricedNow));

        // Run through the jobs API, as the Prices page's button and `admin reprice` run it.
        var (admin, _, _) = await app.CreateUserClientAsync(Roles.Admin);
        using var response = await admin.PostAsync($"/api/v1/admin/jobs/{RepriceJob.JobName}/run", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        var counts = run.GetProperty("counts");
        Assert.Equal((6L, 5L, 5L, 0L), (counts.GetProperty("examined").GetInt64(), counts.GetProperty("repriced").GetInt64(),
            counts.GetProperty("newlyPriced").GetInt64(), counts.GetProperty("stillUnpriced").GetInt64()));

        double acmeComputed;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var after = await ProjectEventsAsync(db, projectId);
            foreach (var e in after)
            {
                var old = before.Single(b => b.Id == e.Id);
                if (e.Model?.StartsWith("acme", StringComparison.Ordinal) == true)
                {
                    Assert.Equal(price.Id, e.PriceId);
                    Assert.Equal(Cost(e, price), e.ComputedCostUsd!.Value, 12);
                    if (old.CostSource == "client") Assert.Equal((old.CostUsd, "client"), (e.CostUsd, e.CostSource)); // never replaced
                    else Assert.Equal((e.ComputedCostUsd, "price"), (e.CostUsd, e.CostSource));
                }
                else Assert.Equal((old.CostUsd, old.ComputedCostUsd, old.PriceId, old.CostSource), (e.CostUsd, e.ComputedCostUsd, e.PriceId, e.CostSource));
            }
            Assert.Equal(0.0421, after.Single(e => e.ClientEventId == "k1").CostUsd);
            acmeComputed = after.Where(e => e.PriceId == price.Id).Sum(e => e.ComputedCostUsd!.Value);
            var expectedRun = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"${acmeComputed:N4}");
            Assert.Contains(expectedRun, run.GetProperty("summary").GetString());
            await AssertRollupsEqualEventsAsync(db, projectId);
        }
        Assert.DoesNotContain(await catalog.UnpricedModelsAsync(), m => m.Model.StartsWith("acme", StringComparison.Ordinal));

        // The sessions were touched, so the rollups job folds the new costs into their buckets.
        Assert.True((await runner.RunAsync(RollupJob.JobName, "manual")).Succeeded);
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var events = await ProjectEventsAsync(db, projectId);
            var buckets = await db.Set<UsageBucket>().AsNoTracking().Where(b => b.ProjectId == projectId && b.Grain == RollupGrain.Day).ToListAsync();
            Assert.Equal(events.Sum(e => e.CostUsd ?? 0), buckets.Sum(b => b.CostUsd), 9);
        }

        // The costs API shows the computed cost of the model, with nothing unpriced left.
        var (lead, _, _) = await app.CreateUserClientAsync(Roles.TeamLead);
        var byModel = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/costs?from={Day1:yyyy-MM-dd}&to={Day1.AddDays(1):yyyy-MM-dd}&groupBy=model");
        var row = byModel.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == "acme-coder-1");
        Assert.Equal(acmeComputed, row.GetProperty("computedUsd").GetDouble(), 9);
        Assert.Equal(0.0421, row.GetProperty("estimatedUsd").GetDouble(), 9);
        Assert.Equal(0, row.GetProperty("unpricedEvents").GetInt64());

        // Idempotent: a second pass finds nothing to change.
        List<Core.Sessions.AgentEvent> once;
        List<DailyCost> dailyOnce;
        await using (var db = await dbFactory.CreateDbContextAsync())
            (once, dailyOnce) = (await ProjectEventsAsync(db, projectId), await db.Set<DailyCost>().AsNoTracking().Where(d => d.ProjectId == projectId).ToListAsync());
        var again = await runner.RunAsync(RepriceJob.JobName, "manual");
        Assert.Equal((0L, 6L), (again.Counts!["repriced"], again.Counts["examined"]));
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            Assert.Equal(once.Select(e => (e.Id, e.CostUsd, e.ComputedCostUsd, e.PriceId)), (await ProjectEventsAsync(db, projectId)).Select(e => (e.Id, e.CostUsd, e.ComputedCostUsd, e.PriceId)));
            var dailyTwice = await db.Set<DailyCost>().AsNoTracking().Where(d => d.ProjectId == projectId).ToListAsync();
            Assert.Equal(dailyOnce.OrderBy(d => (d.Day, d.Model)).Select(d => (d.Day, d.Model, d.ComputedCostUsd, d.PricedEvents, d.UnpricedEvents)),
                dailyTwice.OrderBy(d => (d.Day, d.Model)).Select(d => (d.Day, d.Model, d.ComputedCostUsd, d.PricedEvents, d.UnpricedEvents)));
        }
    }

    [Theory, BothProviders]
    public async Task An_override_reprices_only_the_events_in_its_effective_range(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (developer, _, _) = await app.CreateUserClientAsync();
        var catalog = app.Services.GetRequiredService<PriceCatalog>();
        var v1 = await catalog.AddAsync(new PriceInput("anthropic", "acme-coder-2", new DateOnly(2026, 1, 1), 3, 15, 3.75, 6, 0.3, "v1"), "tester");
        var sid = IngestionTestKit.NewSessionId();
        var events = Enumerable.Range(0, 8).Select(i => Request(sid, $"e{i}", Day1.AddDays(i / 2).AddMinutes(i), "acme-coder-2", 1000 + i, 200, 5000,
            clientCost: i == 7 ? 0.05 : null, client: i == 0 ? "claude-code" : null)).ToList();
        Assert.Equal(8, (await (await developer.PostEventsAsync(events)).ReadAcceptedAsync()).Accepted);

        // From the third day on, the model costs more.
        var v2 = await catalog.AddAsync(new PriceInput("anthropic", "acme-coder-2", DateOnly.FromDateTime(Day1.AddDays(2)), 4, 20, 5, 8, 0.4, "v2"), "tester");
        var result = await app.Services.GetRequiredService<JobRunner>().RunAsync(RepriceJob.JobName, "manual");
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((8L, 4L, 0L), (result.Counts!["examined"], result.Counts["repriced"], result.Counts["newlyPriced"]));

        await using var db = await app.DbAsync();
        var projectId = (await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == sid)).ProjectId;
        var stored = await ProjectEventsAsync(db, projectId);
        foreach (var e in stored)
        {
            var expected = e.Timestamp < Day1.Date.AddDays(2) ? v1 : v2;
            Assert.Equal(expected.Id, e.PriceId);
            Assert.Equal(Cost(e, expected), e.ComputedCostUsd!.Value, 12);
        }
        Assert.Equal((0.05, "client"), (stored.Single(e => e.ClientEventId == "e7").CostUsd, stored.Single(e => e.ClientEventId == "e7").CostSource));
        Assert.Equal(stored.Where(e => e.PriceId == v2.Id).Sum(e => Cost(e, v2)) - stored.Where(e => e.PriceId == v2.Id).Sum(e => Cost(e, v1)),
            (result.Counts["computedAfterMicroUsd"] - result.Counts["computedBeforeMicroUsd"]) / 1e6, tolerance: 2e-6);
        await AssertRollupsEqualEventsAsync(db, projectId);
    }
}
