using DevInsights.Core.Data;
using DevInsights.Core.Pricing;
using DevInsights.Core.Sessions;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Tests.Costs;

/// <summary>Events for the re-pricing tests, and the raw sums their rollups must equal.</summary>
public static class RepricingTestKit
{
    /// <summary>A batch-API event with tokens (and the client's own cost when given).</summary>
    public static Dictionary<string, object?> Request(string sessionId, string eventId, DateTime at, string model, long input, long output,
        long cacheRead = 0, double? clientCost = null, string? client = null)
    {
        var e = new Dictionary<string, object?>
        {
            ["sessionId"] = sessionId, ["eventId"] = eventId, ["timestamp"] = at.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["type"] = "api_request", ["model"] = model, ["inputTokens"] = input, ["outputTokens"] = output, ["cacheReadTokens"] = cacheRead,
        };
        if (clientCost is { } cost) e["costUsd"] = cost;
        if (client is not null) e["client"] = client;
        return e;
    }

    /// <summary>A tool event: no tokens, so never priced.</summary>
    public static Dictionary<string, object?> Tool(string sessionId, string eventId, DateTime at) => new()
    {
        ["sessionId"] = sessionId, ["eventId"] = eventId, ["timestamp"] = at.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["type"] = "tool_result", ["toolName"] = "Bash", ["success"] = true,
    };

    /// <summary>tokens × price as the shipped formula defines it (cache reads at their rate, else as input).</summary>
    public static double Cost(AgentEvent e, Price p) =>
        (e.InputTokens * p.InputPerMtok + e.OutputTokens * p.OutputPerMtok + e.CacheReadTokens * (p.CacheReadPerMtok ?? p.InputPerMtok)
         + e.CacheCreationTokens * (p.CacheWrite5mPerMtok ?? p.InputPerMtok)) / 1e6;

    public static async Task<List<AgentEvent>> ProjectEventsAsync(DevInsightsDbContext db, long projectId) =>
        await db.Events.AsNoTracking().Where(e => e.ProjectId == projectId).OrderBy(e => e.Id).ToListAsync();

    /// <summary>daily_costs, daily_usage's cost and the sessions' costs of a project equal the sums of its raw events.</summary>
    public static async Task AssertRollupsEqualEventsAsync(DevInsightsDbContext db, long projectId)
    {
        var events = await ProjectEventsAsync(db, projectId);
        static long Tokens(AgentEvent e) => e.InputTokens + e.OutputTokens + e.CacheReadTokens + e.CacheCreationTokens;
        var expected = events.Where(e => Tokens(e) > 0 || e.CostUsd is not null)
            .GroupBy(e => (Day: DateOnly.FromDateTime(e.Timestamp), Model: e.Model ?? ""))
            .ToDictionary(g => g.Key, g => (
                Client: g.Where(e => e.CostSource == "client").Sum(e => e.CostUsd ?? 0),
                Computed: g.Sum(e => e.ComputedCostUsd ?? 0),
                Priced: (long)g.Count(e => e.ComputedCostUsd is not null),
                Unpriced: (long)g.Count(e => Tokens(e) > 0 && e.PriceId is null),
                UnpricedTokens: g.Where(e => Tokens(e) > 0 && e.PriceId is null).Sum(Tokens)));
        var daily = (await db.Set<DailyCost>().AsNoTracking().Where(d => d.ProjectId == projectId).ToListAsync())
            .GroupBy(d => (d.Day, d.Model))
            .ToDictionary(g => g.Key, g => (
                Client: g.Sum(d => d.ClientCostUsd), Computed: g.Sum(d => d.ComputedCostUsd), Priced: g.Sum(d => d.PricedEvents),
                Unpriced: g.Sum(d => d.UnpricedEvents), UnpricedTokens: g.Sum(d => d.UnpricedTokens)));
        Assert.Equal(expected.Keys.Order(), daily.Keys.Order());
        foreach (var (key, want) in expected)
        {
            var got = daily[key];
            Assert.Equal(want.Client, got.Client, 9);
            Assert.Equal(want.Computed, got.Computed, 9);
            Assert.Equal((want.Priced, want.Unpriced, want.UnpricedTokens), (got.Priced, got.Unpriced, got.UnpricedTokens));
        }

        var usage = await db.DailyUsage.AsNoTracking().Where(d => d.ProjectId == projectId).ToListAsync();
        foreach (var g in events.GroupBy(e => (Day: DateOnly.FromDateTime(e.Timestamp), Model: e.Model ?? "")))
            Assert.Equal(g.Sum(e => e.CostUsd ?? 0), usage.Where(u => u.Day == g.Key.Day && u.Model == g.Key.Model).Sum(u => u.CostUsd), 9);

        foreach (var session in await db.Sessions.AsNoTracking().Where(s => s.ProjectId == projectId).ToListAsync())
        {
            var mine = events.Where(e => e.SessionId == session.Id).ToList();
            Assert.Equal(mine.Sum(e => e.CostUsd ?? 0), session.CostUsd, 9);
            Assert.Equal(mine.Sum(e => e.ComputedCostUsd ?? 0), session.ComputedCostUsd, 9);
            Assert.Equal(mine.Count(e => Tokens(e) > 0 && e.PriceId is null), session.UnpricedEvents);
        }
    }
}
