using DevInsights.Core.Data;
using DevInsights.Core.Sessions;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Web.Components.Pages.Shared;

/// <summary>Session figures of a range, from the sessions table (its totals are maintained per session).</summary>
public sealed record SessionStats(int Count, long TotalDurationMs, double CostUsd)
{
    public double AverageDurationMs => Count == 0 ? 0 : (double)TotalDurationMs / Count;
    public double CostPerSession => Count == 0 ? 0 : CostUsd / Count;
}

public sealed record ToolStat(string Name, long Calls, long Successes, long Errors)
{
    /// <summary>Successes over calls with a known outcome; null when none has one.</summary>
    public double? SuccessRate => Successes + Errors == 0 ? null : (double)Successes / (Successes + Errors);
}

/// <summary>Reads that the rollup cannot answer (durations, tools by name), from per-session counters: the
/// sessions and tool_usages tables, never the events.</summary>
public sealed class ActivityQueries(IDbContextFactory<DevInsightsDbContext> dbFactory)
{
    public async Task<SessionStats> SessionStatsAsync(UsageScope scope, TimeRange range, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stats = await Sessions(db, scope, range).GroupBy(_ => 1)
            .Select(g => new { Count = g.Count(), Duration = g.Sum(s => s.DurationMs), Cost = g.Sum(s => s.CostUsd) })
            .FirstOrDefaultAsync(ct);
        return stats is null ? new SessionStats(0, 0, 0) : new SessionStats(stats.Count, stats.Duration, stats.Cost);
    }

    /// <summary>The most called tools of the sessions started in the range.</summary>
    public async Task<IReadOnlyList<ToolStat>> TopToolsAsync(UsageScope scope, TimeRange range, int limit, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (
            from t in db.ToolUsages.AsNoTracking()
            join s in Sessions(db, scope, range) on t.SessionId equals s.Id
            group t by t.ToolName into g
            select new { Name = g.Key, Calls = g.Sum(t => t.Calls), Successes = g.Sum(t => t.Successes), Errors = g.Sum(t => t.Errors) })
            .OrderByDescending(t => t.Calls).ThenBy(t => t.Name).Take(limit)
            .Select(t => new ToolStat(t.Name, t.Calls, t.Successes, t.Errors)).ToListAsync(ct);
    }

    /// <summary>False until the first session arrives: the views then show how to connect a client instead of zeros.</summary>
    public async Task<bool> AnyTelemetryAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Sessions.AnyAsync(ct);
    }

    private static IQueryable<Session> Sessions(DevInsightsDbContext db, UsageScope scope, TimeRange range)
    {
        var (start, end) = (range.Start, range.End);
        var sessions = db.Sessions.AsNoTracking().Where(s => s.StartedAt >= start && s.StartedAt < end);
        if (scope.ProjectId is { } projectId) sessions = sessions.Where(s => s.ProjectId == projectId);
        if (scope.DeveloperId is { } developerId) sessions = sessions.Where(s => s.DeveloperId == developerId);
        return sessions;
    }
}
