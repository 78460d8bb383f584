using System.Data.Common;
using DevInsights.Core.Data;
using DevInsights.Core.Export;
using DevInsights.Core.Jobs;
using DevInsights.Core.Rollups;
using Microsoft.Extensions.Options;

namespace DevInsights.Core.Retention;

/// <summary>The <c>event-retention</c> job: deletes raw events older than <see cref="EventRetentionOptions.Days"/>, but
/// only those whose rollups exist.</summary>
/// <remarks>
/// It first runs the rollups, then, per project and UTC day before the horizon, compares the events the rollups job has
/// folded (ids at or below its watermark) with the day bucket's event count. A day is deleted only when they agree
/// (after an earlier purge, when the bucket holds at least as many: it also counts the events deleted then). The first
/// day that does not agree stops the sweep there for every project, so no bucket whose events are gone can ever be
/// rebuilt from an incomplete set: buckets before <see cref="RollupState.PurgedBefore"/> are only added to. Each
/// project-day is deleted in its own short transaction, holding the rollup state row so the rollups job never interleaves.
/// The event with the highest id always stays (see <see cref="DeleteDayAsync"/>).
/// Sessions, tool_usages and daily_usage are kept: the dashboards keep their history.
/// </remarks>
public sealed class EventRetentionJob(DatabaseConnections connections, RollupBuilder rollups, IOptions<EventRetentionOptions> options, TimeProvider clock)
    : IDevInsightsJob
{
    public const string JobName = "event-retention";

    public string Name => JobName;
    public string Description => "Deletes raw events older than the configured number of days once their hourly and daily rollups are verified.";
    public string? DefaultSchedule => "0 15 2 * * ?";
    public string? DisabledReason => options.Value.Days == 0 ? $"{EventRetentionOptions.SectionName}:Days is 0: raw events are kept forever" : null;

    public async Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct)
    {
        if (DisabledReason is { } reason) return new JobOutcome(reason, new Dictionary<string, long> { ["events"] = 0 });
        var horizon = RollupBuilder.Day(clock.GetUtcNow().UtcDateTime).AddDays(-options.Value.Days);
        context.Progress.Report(new JobProgress(0, "Rolling up new events"));
        await rollups.RunAsync(ct: ct);

        var sql = new RollupSql(connections.IsSqlite);
        await using var connection = await connections.OpenAsync(ct);
        var state = await rollups.LoadStateAsync(ct);
        var coverage = await CoverageAsync(connection, sql, horizon, state, ct);
        var uncovered = coverage.Where(c => !c.Covered).Select(c => c.Day).DefaultIfEmpty(horizon).Min();
        var effective = uncovered < horizon ? uncovered : horizon;
        var purge = coverage.Where(c => c.Covered && c.Day < effective).ToList();

        long deleted = 0;
        for (var i = 0; i < purge.Count; i++)
        {
            deleted += await DeleteDayAsync(connection, sql, purge[i].Project, purge[i].Day, effective, ct);
            context.Progress.Report(new JobProgress((i + 1.0) / purge.Count, $"Deleted {deleted:N0} events ({i + 1:N0} of {purge.Count:N0} project-days)"));
        }
        var skipped = coverage.Count(c => c.Day >= effective);
        var summary = $"Deleted {deleted:N0} raw event(s) of {purge.Count:N0} project-day(s) before {effective:yyyy-MM-dd}";
        if (coverage.FirstOrDefault(c => !c.Covered) is { } first)
            summary += $"; kept {skipped:N0} project-day(s) from {effective:yyyy-MM-dd}, where project {first.Project}'s rollups do not cover its events yet ({first.Why})";
        return new JobOutcome(summary, new Dictionary<string, long>
        {
            ["events"] = deleted, ["projectDays"] = purge.Count, ["skippedProjectDays"] = skipped,
        });
    }

    /// <param name="Events">The day's events still stored.</param>
    /// <param name="Folded">Those the rollups already hold (ids at or below the watermark).</param>
    /// <param name="Rolled">The events the day bucket counts.</param>
    private sealed record DayCoverage(long Project, DateTime Day, long Events, long Folded, long Rolled, bool Covered)
    {
        public string Why => Folded < Events
            ? $"{Events - Folded:N0} of its {Events:N0} event(s) arrived after the last rollup pass"
            : $"its day bucket counts {Rolled:N0} event(s) against {Events:N0} stored";
    }

    /// <summary>Every (project, day) before the horizon that still has events, with whether its day bucket covers them.</summary>
    /// <remarks>The work follows what is to be deleted: each project's events before the horizon are one range of the
    /// (project_id, timestamp) index (CROSS JOIN keeps SQLite's planner looping over the few projects rather than scanning
    /// the whole index for a time bound), and only the day buckets of those project-days are read, one probe each of
    /// (project_id, grain, bucket), not the years of buckets whose events are long gone.</remarks>
    private static async Task<List<DayCoverage>> CoverageAsync(DbConnection connection, RollupSql sql, DateTime horizon, RollupState state, CancellationToken ct)
    {
        var day = sql.BucketOf(RollupGrain.Day, "e.timestamp");
        var coverage = new List<DayCoverage>();
        await using var command = RollupSql.Command(connection, null, $"""
            SELECT d.project_id, d.day, d.events, d.folded,
                COALESCE((SELECT SUM(u.events) FROM usage_rollups u WHERE u.project_id = d.project_id AND u.grain = '{RollupGrain.Day}' AND u.bucket = d.day), 0)
            FROM (SELECT e.project_id, {day} AS day, COUNT(*) AS events, SUM(CASE WHEN e.id <= @upto THEN 1 ELSE 0 END) AS folded
                  FROM projects p CROSS JOIN events e WHERE e.project_id = p.id AND e.timestamp < @horizon GROUP BY e.project_id, {day}) d
            ORDER BY d.day, d.project_id
            """, new Dictionary<string, object> { ["@horizon"] = horizon, ["@upto"] = state.EventWatermark });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (project, bucket, events, folded, rolled) = (reader.GetInt64(0), UtcDateTimeConverter.AsUtc(reader.GetDateTime(1)), reader.GetInt64(2),
                reader.GetInt64(3), reader.GetInt64(4));
            // Before an earlier purge the bucket also counts the events deleted then, so it may hold more than remain.
            var purgedBefore = state.PurgedBefore is { } p && bucket < p;
            // Events above the watermark (stored since the last rollups pass) make the day wait for the next sweep.
            var covered = folded == events && (purgedBefore ? rolled >= events : rolled == events);
            coverage.Add(new DayCoverage(project, bucket, events, folded, rolled, covered));
        }
        return coverage;
    }

    private static async Task<long> DeleteDayAsync(DbConnection connection, RollupSql sql, long project, DateTime day, DateTime purgedBefore, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        var (watermark, _) = await RollupSql.LockStateAsync(connection, tx, sql.IsSqlite, ct);
        var deleted = await RollupSql.ExecuteAsync(connection, tx,
            // The newest event is never deleted: SQLite gives a new row the highest id + 1, so with it gone new events would
            // reuse ids at or below the watermark, which the rollups take as already folded and would never count.
            "DELETE FROM events WHERE project_id = @project AND timestamp >= @from AND timestamp < @to AND id <= @upto AND id < (SELECT MAX(id) FROM events)",
            new Dictionary<string, object> { ["@project"] = project, ["@from"] = day, ["@to"] = day.AddDays(1), ["@upto"] = watermark }, ct);
        await RollupSql.ExecuteAsync(connection, tx,
            "UPDATE rollup_state SET purged_before = @purged WHERE name = @name AND (purged_before IS NULL OR purged_before < @purged)",
            new Dictionary<string, object> { ["@purged"] = purgedBefore, ["@name"] = RollupState.UsageName }, ct);
        await tx.CommitAsync(ct);
        return deleted;
    }
}
