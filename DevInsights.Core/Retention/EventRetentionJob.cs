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
        if (skipped > 0) summary += $"; kept {skipped:N0} project-day(s) from {effective:yyyy-MM-dd} whose rollups do not match their events";
        return new JobOutcome(summary, new Dictionary<string, long>
        {
            ["events"] = deleted, ["projectDays"] = purge.Count, ["skippedProjectDays"] = skipped,
        });
    }

    private sealed record DayCoverage(long Project, DateTime Day, long Raw, long Rolled, bool Covered);

    /// <summary>Every (project, day) before the horizon that still has events, with whether its day bucket covers them.</summary>
    private static async Task<List<DayCoverage>> CoverageAsync(DbConnection connection, RollupSql sql, DateTime horizon, RollupState state, CancellationToken ct)
    {
        var day = sql.BucketOf(RollupGrain.Day, "e.timestamp");
        var parameters = new Dictionary<string, object> { ["@horizon"] = horizon, ["@upto"] = state.EventWatermark };
        var raw = new Dictionary<(long, DateTime), long>();
        var unfolded = new HashSet<(long, DateTime)>();
        await using (var command = RollupSql.Command(connection, null,
            $"SELECT e.project_id, {day}, SUM(CASE WHEN e.id <= @upto THEN 1 ELSE 0 END), COUNT(*) FROM events e WHERE e.timestamp < @horizon GROUP BY e.project_id, {day}", parameters))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var key = (reader.GetInt64(0), UtcDateTimeConverter.AsUtc(reader.GetDateTime(1)));
                raw[key] = reader.GetInt64(2);
                if (reader.GetInt64(3) != reader.GetInt64(2)) unfolded.Add(key);
            }
        }
        var rolled = new Dictionary<(long, DateTime), long>();
        await using (var command = RollupSql.Command(connection, null,
            "SELECT project_id, bucket, SUM(events) FROM usage_rollups WHERE grain = 'day' AND bucket < @horizon GROUP BY project_id, bucket", parameters))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) rolled[(reader.GetInt64(0), UtcDateTimeConverter.AsUtc(reader.GetDateTime(1)))] = reader.GetInt64(2);
        }
        return raw.Select(r =>
        {
            var bucket = rolled.GetValueOrDefault(r.Key);
            var purgedBefore = state.PurgedBefore is { } p && r.Key.Item2 < p;
            // Events above the watermark (stored since the last rollups pass) make the day wait for the next sweep.
            var covered = !unfolded.Contains(r.Key) && (purgedBefore ? bucket >= r.Value : bucket == r.Value);
            return new DayCoverage(r.Key.Item1, r.Key.Item2, r.Value, bucket, covered);
        }).OrderBy(c => c.Day).ThenBy(c => c.Project).ToList();
    }

    private static async Task<long> DeleteDayAsync(DbConnection connection, RollupSql sql, long project, DateTime day, DateTime purgedBefore, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        long watermark;
        await using (var command = RollupSql.Command(connection, tx, sql.LockState, new Dictionary<string, object> { ["@name"] = RollupState.UsageName }))
            watermark = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        var deleted = await RollupSql.ExecuteAsync(connection, tx,
            "DELETE FROM events WHERE project_id = @project AND timestamp >= @from AND timestamp < @to AND id <= @upto",
            new Dictionary<string, object> { ["@project"] = project, ["@from"] = day, ["@to"] = day.AddDays(1), ["@upto"] = watermark }, ct);
        await RollupSql.ExecuteAsync(connection, tx,
            "UPDATE rollup_state SET purged_before = @purged WHERE name = @name AND (purged_before IS NULL OR purged_before < @purged)",
            new Dictionary<string, object> { ["@purged"] = purgedBefore, ["@name"] = RollupState.UsageName }, ct);
        await tx.CommitAsync(ct);
        return deleted;
    }
}
