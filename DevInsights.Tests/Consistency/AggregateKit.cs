using DevInsights.Core.Pricing;
using DevInsights.Core.Rollups;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Rollups;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Tests.Consistency;

/// <summary>Usage figures of one (project, UTC day, model): what daily_usage and the usage rollups hold, and what the raw
/// events and sessions say.</summary>
public sealed record UsageFigures(long Events, long ApiRequests, long Input, long Output, long CacheRead, long CacheCreation, decimal Cost,
    long ToolCalls, long ToolErrors, long SessionsStarted);

public sealed record CostFigures(decimal Client, decimal Computed, long Priced, long Unpriced, long UnpricedTokens);

public sealed record ToolFigures(long Calls, long Successes, long Errors);

/// <summary>Each aggregate table of one developer, summed per (project, day, model or tool), against the same figures
/// computed in memory from the raw events and sessions: every table must equal the raw data, with no row left over.</summary>
public static class AggregateKit
{
    public static async Task AssertAggregatesMatchRawAsync(DevInsightsFactory app, string developerId, bool rollups = true)
    {
        var raw = await RawAsync(app, developerId);
        await using var db = await app.DbAsync();
        var usage = await db.DailyUsage.AsNoTracking().Where(d => d.DeveloperId == developerId).ToListAsync();
        Assert.Equal(Sorted(raw.Usage), Sorted(usage.ToDictionary(d => (d.ProjectId, d.Day, d.Model), d => new UsageFigures(d.Events, d.ApiRequests,
            d.InputTokens, d.OutputTokens, d.CacheReadTokens, d.CacheCreationTokens, RollupTestKit.Round(d.CostUsd), d.ToolCalls, d.ToolErrors, d.SessionsStarted))));
        var costs = await db.Set<DailyCost>().AsNoTracking().Where(d => d.DeveloperId == developerId).ToListAsync();
        Assert.Equal(Sorted(raw.Costs), Sorted(costs.ToDictionary(d => (d.ProjectId, d.Day, d.Model), d => new CostFigures(RollupTestKit.Round(d.ClientCostUsd),
            RollupTestKit.Round(d.ComputedCostUsd), d.PricedEvents, d.UnpricedEvents, d.UnpricedTokens))));
        if (!rollups) return;

        foreach (var grain in new[] { RollupGrain.Hour, RollupGrain.Day })
        {
            var buckets = await db.UsageRollups.AsNoTracking().Where(u => u.DeveloperId == developerId && u.Grain == grain).ToListAsync();
            Assert.Equal(Sorted(raw.Usage), Sorted(buckets.GroupBy(u => (u.ProjectId, DateOnly.FromDateTime(u.Bucket), u.Model)).ToDictionary(g => g.Key,
                g => new UsageFigures(g.Sum(u => u.Events), g.Sum(u => u.ApiRequests), g.Sum(u => u.InputTokens), g.Sum(u => u.OutputTokens),
                    g.Sum(u => u.CacheReadTokens), g.Sum(u => u.CacheCreationTokens), RollupTestKit.Round(g.Sum(u => u.CostUsd)), g.Sum(u => u.ToolCalls),
                    g.Sum(u => u.ToolErrors), g.Sum(u => u.SessionsStarted)))));
            var tools = await db.ToolRollups.AsNoTracking().Where(t => t.DeveloperId == developerId && t.Grain == grain).ToListAsync();
            Assert.Equal(Sorted(raw.Tools), Sorted(tools.GroupBy(t => (t.ProjectId, DateOnly.FromDateTime(t.Bucket), t.ToolName)).ToDictionary(g => g.Key,
                g => new ToolFigures(g.Sum(t => t.Calls), g.Sum(t => t.Successes), g.Sum(t => t.Errors)))));
        }
    }

    /// <summary>The developer's figures computed from the raw events and sessions, per (project, UTC day, model or tool).</summary>
    public static async Task<(Dictionary<(long, DateOnly, string), UsageFigures> Usage, Dictionary<(long, DateOnly, string), CostFigures> Costs,
        Dictionary<(long, DateOnly, string), ToolFigures> Tools)> RawAsync(DevInsightsFactory app, string developerId)
    {
        await using var db = await app.DbAsync();
        var sessions = await db.Sessions.AsNoTracking().Where(s => s.DeveloperId == developerId).ToListAsync();
        var ids = sessions.Select(s => s.Id).ToList();
        var events = await db.Events.AsNoTracking().Where(e => ids.Contains(e.SessionId)).ToListAsync();

        var usage = events.GroupBy(e => (e.ProjectId, DateOnly.FromDateTime(e.Timestamp), e.Model ?? "")).ToDictionary(g => g.Key, g => new UsageFigures(
            g.Count(), g.Count(e => e.Type == "api_request"), g.Sum(e => e.InputTokens), g.Sum(e => e.OutputTokens), g.Sum(e => e.CacheReadTokens),
            g.Sum(e => e.CacheCreationTokens), RollupTestKit.Round(g.Sum(e => e.CostUsd ?? 0)), g.Count(e => e.ToolName != null && e.Success != null),
            g.Count(e => e.ToolName != null && e.Success == false), 0));
        foreach (var s in sessions)
        {
            var key = (s.ProjectId, DateOnly.FromDateTime(s.StartedAt), "");
            var figures = usage.GetValueOrDefault(key) ?? new UsageFigures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            usage[key] = figures with { SessionsStarted = figures.SessionsStarted + 1 };
        }

        static long Tokens(Core.Sessions.AgentEvent e) => e.InputTokens + e.OutputTokens + e.CacheReadTokens + e.CacheCreationTokens;
        var costs = events.Where(e => Tokens(e) > 0 || e.CostUsd != null).GroupBy(e => (e.ProjectId, DateOnly.FromDateTime(e.Timestamp), e.Model ?? ""))
            .ToDictionary(g => g.Key, g => new CostFigures(RollupTestKit.Round(g.Where(e => e.CostSource == "client").Sum(e => e.CostUsd ?? 0)),
                RollupTestKit.Round(g.Sum(e => e.ComputedCostUsd ?? 0)), g.Count(e => e.ComputedCostUsd != null),
                g.Count(e => Tokens(e) > 0 && e.ComputedCostUsd == null), g.Where(e => Tokens(e) > 0 && e.ComputedCostUsd == null).Sum(Tokens)));
        var tools = events.Where(e => e.ToolName != null && e.Success != null).GroupBy(e => (e.ProjectId, DateOnly.FromDateTime(e.Timestamp), e.ToolName!))
            .ToDictionary(g => g.Key, g => new ToolFigures(g.Count(), g.Count(e => e.Success == true), g.Count(e => e.Success == false)));
        return (usage, costs, tools);
    }

    public static async Task<Core.Sessions.Session> SessionAsync(DevInsightsFactory app, string clientSessionId)
    {
        await using var db = await app.DbAsync();
        return await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == clientSessionId);
    }

    private static List<((long, DateOnly, string) Key, T Figures)> Sorted<T>(Dictionary<(long, DateOnly, string), T> rows) =>
        [.. rows.Select(r => (r.Key, r.Value)).OrderBy(r => r.Key.Item1).ThenBy(r => r.Key.Item2).ThenBy(r => r.Key.Item3, StringComparer.Ordinal)];
}
