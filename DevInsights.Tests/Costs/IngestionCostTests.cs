using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Pricing;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Otlp.Integration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Costs;

/// <summary>Costs computed at ingestion from the real fixture exports posted over OTLP/HTTP.</summary>
public sealed class IngestionCostTests
{
    [Theory, BothProviders]
    public async Task Claude_Code_keeps_its_own_cost_and_gets_the_computed_one_beside_it(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        const string scenario = "b-tool-use-json";
        await client.PostScenarioAsync(OtlpIntegrationKit.ScenarioRequests(Claude, scenario));
        var total = ClaudeStdout(scenario).GetProperty("total_cost_usd").GetDouble();

        await using var db = await app.DbAsync();
        var session = await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == OtlpIntegrationKit.ClaudeSessionId(scenario));
        Assert.Equal(total, session.CostUsd, 9);          // Claude Code's own figure stays the session's cost
        Assert.Equal(total, session.ComputedCostUsd, 9);  // tokens × the shipped Sonnet 4.5 price agree with it
        Assert.Equal(0, session.UnpricedEvents);

        var requests = await db.Events.AsNoTracking().Where(e => e.SessionId == session.Id && e.Type == "api_request").ToListAsync();
        var sonnet = await db.Set<Price>().AsNoTracking().SingleAsync(p => p.Model == "claude-sonnet-4-5" && p.Source == PriceSources.Default);
        Assert.All(requests, e =>
        {
            Assert.Equal("client", e.CostSource);
            Assert.Equal(sonnet.Id, e.PriceId);
            Assert.Equal(e.CostUsd!.Value, e.ComputedCostUsd!.Value, 12);
        });
        var daily = await db.Set<DailyCost>().AsNoTracking().Where(d => d.ProjectId == session.ProjectId && d.DeveloperId == session.DeveloperId).ToListAsync();
        Assert.Equal(total, daily.Sum(d => d.ClientCostUsd), 9);
        Assert.Equal(total, daily.Sum(d => d.ComputedCostUsd), 9);
        Assert.Equal(requests.Count, daily.Sum(d => d.PricedEvents));
    }

    [Theory, BothProviders]
    public async Task Codex_usage_is_unpriced_until_its_model_has_a_price_then_gets_the_computed_cost(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (client, userId, _) = await app.CreateUserClientAsync();
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<DevInsightsDbContext>>();

        // gpt-5.5 (the model of these runs) has no shipped price: counted as unpriced, never $0.
        const string first = "a-simple-prompt-json";
        var firstTokens = Events(Codex, first).Where(e => e.InputTokens + e.OutputTokens + e.CacheReadTokens + e.CacheCreationTokens > 0).ToList();
        await client.PostScenarioAsync(OtlpIntegrationKit.ScenarioRequests(Codex, first));
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var session = await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == OtlpIntegrationKit.CodexSessionId(first));
            Assert.Equal(firstTokens.Count, session.UnpricedEvents);
            Assert.Equal(0, session.ComputedCostUsd);
            Assert.All(await db.Events.AsNoTracking().Where(e => e.SessionId == session.Id).ToListAsync(), e => Assert.Null(e.CostUsd));
            var daily = await db.Set<DailyCost>().AsNoTracking().Where(d => d.DeveloperId == userId).ToListAsync();
            Assert.Equal(firstTokens.Count, daily.Sum(d => d.UnpricedEvents));
            Assert.Equal(firstTokens.Sum(e => e.InputTokens + e.OutputTokens + e.CacheReadTokens), daily.Sum(d => d.UnpricedTokens));
        }

        // An admin prices it: the next session's events get tokens × price as their cost, with the version recorded.
        var price = await app.Services.GetRequiredService<PriceCatalog>().AddAsync(
            new PriceInput("openai", "gpt-5.5", new DateOnly(2026, 1, 1), 2, 16, null, null, 0.2, "test price"), "tester");
        const string second = "b-shell-tool-json";
        var secondTokens = Events(Codex, second).Where(e => e.InputTokens + e.OutputTokens + e.CacheReadTokens > 0).ToList();
        var expected = secondTokens.Sum(e => (e.InputTokens * 2 + e.CacheReadTokens * 0.2 + e.OutputTokens * 16) / 1e6);
        await client.PostScenarioAsync(OtlpIntegrationKit.ScenarioRequests(Codex, second));
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var session = await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == OtlpIntegrationKit.CodexSessionId(second));
            Assert.Equal(expected, session.CostUsd, 12);
            Assert.Equal(expected, session.ComputedCostUsd, 12);
            Assert.Equal(0, session.UnpricedEvents);
            var priced = await db.Events.AsNoTracking().Where(e => e.SessionId == session.Id && e.CostUsd != null).ToListAsync();
            Assert.Equal(secondTokens.Count, priced.Count);
            Assert.All(priced, e => Assert.Equal(("price", price.Id), (e.CostSource, e.PriceId)));
            var rollup = await db.DailyUsage.AsNoTracking().Where(d => d.DeveloperId == userId && d.Model == "gpt-5.5").SumAsync(d => d.CostUsd);
            Assert.Equal(expected, rollup, 9);
        }
    }
}
