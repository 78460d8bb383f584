using System.Data;
using DevInsights.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DevInsights.Core.Rollups;

/// <summary>Which buckets a read sums: everything, one project, and/or one developer.</summary>
public sealed record RollupScope(long? ProjectId = null, string? DeveloperId = null)
{
    public static readonly RollupScope Everyone = new();
}

/// <summary>One tool's calls in a window, each counted once by the event reporting its outcome.</summary>
public sealed record ToolTotals(string Tool, long Calls, long Successes, long Errors);

/// <summary>Reads over the rollups for windows of any length, exact up to the last stored event.</summary>
/// <remarks>
/// A window is read at hour resolution: from the start of the hour holding <c>from</c> to the end of the hour holding
/// <c>to</c>. Whole days inside it come from day buckets, the remaining hours from hour buckets, and the events the
/// rollups job has not folded yet (ids above its watermark: the current few minutes, or late arrivals) straight from
/// the event table through its primary key. Watermark, buckets and those events are read in one snapshot, and the job
/// moves buckets and watermark in one transaction, so nothing is counted twice or missed.
/// </remarks>
public sealed class RollupQueries(IDbContextFactory<DevInsightsDbContext> dbFactory)
{
    public async Task<IReadOnlyList<ToolTotals>> ToolsAsync(RollupScope scope, DateTime from, DateTime to, CancellationToken ct = default)
    {
        var window = RollupWindow.Of(from, to);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await BeginSnapshotAsync(db, ct);
        var watermark = await WatermarkAsync(db, ct);

        var buckets = db.ToolRollups.AsNoTracking().Where(t =>
            (t.Grain == RollupGrain.Day && t.Bucket >= window.DaysFrom && t.Bucket < window.DaysTo)
            || (t.Grain == RollupGrain.Hour && t.Bucket >= window.From && t.Bucket < window.To && (t.Bucket < window.DaysFrom || t.Bucket >= window.DaysTo)));
        if (scope.ProjectId is { } project) buckets = buckets.Where(t => t.ProjectId == project);
        if (scope.DeveloperId is { } developer) buckets = buckets.Where(t => t.DeveloperId == developer);
        var rolled = await buckets.GroupBy(t => t.ToolName)
            .Select(g => new ToolTotals(g.Key, g.Sum(t => t.Calls), g.Sum(t => t.Successes), g.Sum(t => t.Errors))).ToListAsync(ct);

        var events = db.Events.AsNoTracking().Where(e => e.Id > watermark && e.ToolName != null && e.Success != null && e.Timestamp >= window.From && e.Timestamp < window.To);
        if (scope.ProjectId is { } p) events = events.Where(e => e.ProjectId == p);
        if (scope.DeveloperId is { } d)
            events = events.Join(db.Sessions.Where(s => s.DeveloperId == d), e => e.SessionId, s => s.Id, (e, _) => e);
        var fresh = await events.GroupBy(e => e.ToolName!)
            .Select(g => new ToolTotals(g.Key, g.Count(), g.Count(e => e.Success == true), g.Count(e => e.Success == false))).ToListAsync(ct);
        await tx.CommitAsync(ct);

        return rolled.Concat(fresh).GroupBy(t => t.Tool, StringComparer.Ordinal)
            .Select(g => new ToolTotals(g.Key, g.Sum(t => t.Calls), g.Sum(t => t.Successes), g.Sum(t => t.Errors)))
            .OrderByDescending(t => t.Calls).ThenBy(t => t.Tool, StringComparer.Ordinal).ToList();
    }

    /// <summary>One consistent view of watermark, buckets and events. PostgreSQL: REPEATABLE READ. SQLite: a deferred
    /// transaction, whose WAL snapshot is taken at the first read; BEGIN IMMEDIATE (the provider's default) would take
    /// the write lock and queue the dashboard behind the ingestion writer.</summary>
    private static async Task<IDbContextTransaction> BeginSnapshotAsync(DevInsightsDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite()) return await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await db.Database.OpenConnectionAsync(ct);
        var tx = ((SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
        return await db.Database.UseTransactionAsync(tx, ct) ?? throw new InvalidOperationException("The snapshot transaction was not adopted.");
    }

    private static async Task<long> WatermarkAsync(DevInsightsDbContext db, CancellationToken ct) =>
        await db.RollupStates.AsNoTracking().Where(s => s.Name == RollupState.UsageName).Select(s => (long?)s.EventWatermark).SingleOrDefaultAsync(ct) ?? 0;
}

/// <summary>A window widened to whole hours, and the whole days inside it (an empty day span when there are none).</summary>
public readonly record struct RollupWindow(DateTime From, DateTime To, DateTime DaysFrom, DateTime DaysTo)
{
    public static RollupWindow Of(DateTime from, DateTime to)
    {
        var start = RollupBuilder.Hour(UtcDateTimeConverter.AsUtc(from));
        var endHour = RollupBuilder.Hour(UtcDateTimeConverter.AsUtc(to));
        var end = endHour == UtcDateTimeConverter.AsUtc(to) ? endHour : endHour.AddHours(1);
        var dayStart = RollupBuilder.Day(start) == start ? start : RollupBuilder.Day(start).AddDays(1);
        var dayEnd = RollupBuilder.Day(end);
        return dayStart < dayEnd ? new RollupWindow(start, end, dayStart, dayEnd) : new RollupWindow(start, end, end, end);
    }
}
