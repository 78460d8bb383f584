using DevInsights.Core.Data;
using DevInsights.Core.Rollups;
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

/// <summary>Reads that daily_usage cannot answer: session figures from the per-session counters (sessions table), and
/// tools by name from the tool rollups (plus the few events not rolled up yet), never by scanning the events.</summary>
public sealed class ActivityQueries(IDbContextFactory<DevInsightsDbContext> dbFactory, RollupQueries rollups)
{
    public async Task<SessionStats> SessionStatsAsync(UsageScope scope, TimeRange range, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stats = await Sessions(db, scope, range).GroupBy(_ => 1)
            .Select(g => new { Count = g.Count(), Duration = g.Sum(s => s.DurationMs), Cost = g.Sum(s => s.CostUsd) })
            .FirstOrDefaultAsync(ct);
        return stats is null ? new SessionStats(0, 0, 0) : new SessionStats(stats.Count, stats.Duration, stats.Cost);
    }

    /// <summary>The most called tools in the range (calls made in it, by event time).</summary>
    public async Task<IReadOnlyList<ToolStat>> TopToolsAsync(UsageScope scope, TimeRange range, int limit, CancellationToken ct = default)
    {
        var tools = await rollups.ToolsAsync(new RollupScope(scope.ProjectId, scope.DeveloperId), range.Start, range.End, ct);
        return tools.Take(limit).Select(t => new ToolStat(t.Tool, t.Calls, t.Successes, t.Errors)).ToList();
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
