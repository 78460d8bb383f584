using System.Data.Common;
using DevInsights.Core.Data;
using DevInsights.Core.Jobs;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Rollups;

/// <summary>What one rollup pass did.</summary>
/// <param name="Invalidations">Ranges other changes asked to rebuild (rows of <c>rollup_invalidations</c> consumed).</param>
public sealed record RollupResult(long NewEvents, int ChangedSessions, int HourRanges, int DayRanges, long Watermark, int Invalidations);

/// <summary>Brings <c>usage_rollups</c> and <c>tool_rollups</c> up to date, incrementally and idempotently.</summary>
/// <remarks>
/// The dirty-bucket watermark: <c>rollup_state.event_watermark</c> is the highest event id already reflected. Each pass
/// reads the current highest id (on PostgreSQL under a momentary SHARE lock on events, so no insert with a smaller id is
/// still in flight), finds the (project, hour) of every event above the watermark, adds the hours spanned by sessions
/// changed since the last pass (less a margin) and the ranges of <see cref="RollupInvalidation"/> rows, rebuilds those
/// hours from the raw rows at or below the new watermark, and their days from the hour buckets. Chunks of
/// <see cref="ChunkEvents"/> events are folded one transaction each, the new watermark written in the same transaction,
/// so the buckets always hold exactly the events the watermark says (a failed chunk is redone by the next pass). A late
/// event therefore corrects exactly the buckets it falls in; re-running changes nothing. Invalidations are deleted in the
/// transaction of the first chunk, which rebuilds their hours: a pass that fails before its commit leaves them for the
/// next one. Hours older than <see cref="RollupState.PurgedBefore"/> lost their raw events to retention, so there only
/// the new events are added on top: which is why a chunk folds only from the watermark the state row holds under its
/// lock, and the pass starts again when another transaction moved it.
/// </remarks>
public sealed class RollupBuilder(DatabaseConnections connections, IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Sessions updated this long before the previous pass began are looked at again: a writer transaction
    /// stamps <c>updated_at</c> when it starts and may commit a little later.</summary>
    public static readonly TimeSpan SessionMargin = TimeSpan.FromMinutes(5);

    /// <summary>Dirty hours closer than this are rebuilt as one range (an empty hour costs an index probe).</summary>
    private static readonly TimeSpan MergeGap = TimeSpan.FromHours(6);

    /// <summary>Events folded per transaction: each chunk's buckets and the watermark move together, so a reader that
    /// takes the rollups plus the events above the watermark in one snapshot is always exact.</summary>
    public const int ChunkEvents = 100_000;

    /// <summary>Bucket ranges rebuilt between two progress reports within a chunk.</summary>
    private const int ProgressEvery = 50;

    public async Task<RollupResult> RunAsync(IProgress<JobProgress>? progress = null, CancellationToken ct = default)
    {
        // A pass whose state row changed under it (see FoldAsync) starts again from what the row says now: each restart
        // follows another transaction's commit to the row, so the passes that race finish once those transactions stop.
        while (true)
        {
            if (await FoldAsync(progress, ct) is { } result) return result;
        }
    }

    /// <returns>Null when the state row's watermark was not the one this pass folded on from: nothing of that chunk is
    /// written, and the caller starts again.</returns>
    private async Task<RollupResult?> FoldAsync(IProgress<JobProgress>? progress, CancellationToken ct)
    {
        var sql = new RollupSql(connections.IsSqlite);
        var state = await LoadStateAsync(ct);
        var started = clock.GetUtcNow().UtcDateTime;
        await using var connection = await connections.OpenAsync(ct);
        var upto = await ReadHighestEventIdAsync(connection, ct);
        var invalidations = await ReadInvalidationsAsync(connection, ct);
        // Ids only go backwards when the newest events were deleted (a user removed, which also lowers the mark): start
        // again from there.
        var after = Math.Min(state.EventWatermark, upto);
        var first = after;
        // The watermark the state row must still hold when a chunk's transaction locks it.
        var expected = state.EventWatermark;
        var changed = new Dictionary<long, HashSet<DateTime>>();
        var changedSessions = await AddChangedSessionsAsync(connection, state.SessionsCheckedAt - SessionMargin, changed, ct);
        foreach (var i in invalidations) AddHours(Hours(changed, i.Project), i.From, i.To.AddTicks(-1));
        long newEvents = 0;
        int hourRanges = 0, dayRanges = 0;
        do
        {
            var chunk = Math.Min(upto, after + ChunkEvents);
            await using (var tx = await connection.BeginTransactionAsync(ct))
            {
                var (watermark, purged) = await RollupSql.LockStateAsync(connection, tx, connections.IsSqlite, ct);
                if (watermark != expected)
                {
                    // Lowered by a user deletion (it removed the newest events, whose ids SQLite hands out again), or raised by
                    // another pass (the retention job's or an export's beside the scheduled one), since this pass read it.
                    // Folding on would skip the reused ids, or add the other pass's events to purged buckets a second time.
                    await tx.RollbackAsync(ct);
                    return null;
                }
                // Read under the state row's lock (and on SQLite the write lock): on SQLite an id read outside could since
                // have been deleted and handed out again to an event in another hour.
                var (hours, events) = await DirtyHoursAsync(connection, tx, sql, after, chunk, ct);
                if (after == first)
                {
                    foreach (var (project, set) in changed) Hours(hours, project).UnionWith(set);
                    await RollupInvalidations.DeleteAsync(connection, tx, invalidations.Select(i => i.Id), ct);
                }
                var work = Ranges(hours);
                for (var i = 0; i < work.Count; i++)
                {
                    var (grain, project, from, to) = work[i];
                    if (grain == RollupGrain.Day) await DeriveDaysAsync(connection, tx, sql, project, from, to, ct);
                    else if (purged is { } p && from < p)
                    {
                        await RebuildAsync(connection, tx, sql, grain, project, from, Min(to, p), (after, chunk), incremental: true, ct);
                        if (to > p) await RebuildAsync(connection, tx, sql, grain, project, p, to, (after, chunk), incremental: false, ct);
                    }
                    else await RebuildAsync(connection, tx, sql, grain, project, from, to, (after, chunk), incremental: false, ct);
                    if (i % ProgressEvery == ProgressEvery - 1)
                        progress?.Report(new JobProgress(Fraction(first, upto, after, chunk, (i + 1.0) / work.Count),
                            $"Rebuilt {i + 1:N0} of {work.Count:N0} bucket ranges up to event {chunk:N0}"));
                }
                await RollupSql.ExecuteAsync(connection, tx, RollupSql.SaveState, new Dictionary<string, object>
                {
                    ["@name"] = RollupState.UsageName, ["@upto"] = chunk, ["@checked"] = started, ["@now"] = clock.GetUtcNow().UtcDateTime,
                }, ct);
                await tx.CommitAsync(ct);
                newEvents += events;
                hourRanges += work.Count(w => w.Grain == RollupGrain.Hour);
                dayRanges += work.Count(w => w.Grain == RollupGrain.Day);
            }
            after = expected = chunk;
            progress?.Report(new JobProgress(Fraction(first, upto, after, after, 1), $"Rolled up to event {after:N0} of {upto:N0}"));
        }
        while (after < upto);
        return new RollupResult(newEvents, changedSessions, hourRanges, dayRanges, upto, invalidations.Count);
    }

    private static double Fraction(long first, long upto, long after, long chunk, double withinChunk) =>
        upto <= first ? 1 : Math.Clamp((after - first + (chunk - after) * withinChunk) / (upto - first), 0, 1);

    /// <summary>Each project's dirty hours as merged hour ranges, then the days those ranges touch as merged day ranges.</summary>
    private static List<(string Grain, long Project, DateTime From, DateTime To)> Ranges(Dictionary<long, HashSet<DateTime>> hours)
    {
        var hourRanges = hours.SelectMany(p => Merge(p.Value.Order(), TimeSpan.FromHours(1)).Select(r => (Project: p.Key, r.From, r.To))).ToList();
        var dayRanges = hourRanges.GroupBy(r => r.Project)
            .SelectMany(g => MergeRanges(g.Select(r => (Day(r.From), Day(r.To.AddTicks(-1)).AddDays(1)))).Select(r => (Project: g.Key, r.From, r.To)));
        return [.. hourRanges.Select(r => (RollupGrain.Hour, r.Project, r.From, r.To)), .. dayRanges.Select(r => (RollupGrain.Day, r.Project, r.From, r.To))];
    }

    /// <summary>The current watermark (0 before the first pass) and the retention horizon.</summary>
    public async Task<RollupState> LoadStateAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.RollupStates.AsNoTracking().SingleOrDefaultAsync(s => s.Name == RollupState.UsageName, ct)
            ?? new RollupState { Name = RollupState.UsageName, EventWatermark = 0 };
    }

    private async Task<long> ReadHighestEventIdAsync(DbConnection connection, CancellationToken ct)
    {
        if (connections.IsSqlite)
        {
            // One writer connection: every committed id is visible, and later inserts get larger rowids.
            await using var max = RollupSql.Command(connection, null, "SELECT COALESCE(MAX(id), 0) FROM events", new Dictionary<string, object>());
            return Convert.ToInt64(await max.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        // SHARE waits for every open transaction that inserted events and blocks new ones while we read: afterwards no
        // event with an id at or below the maximum can still appear.
        await using var tx = await connection.BeginTransactionAsync(ct);
        await RollupSql.ExecuteAsync(connection, tx, "LOCK TABLE events IN SHARE MODE", new Dictionary<string, object>(), ct);
        await using var command = RollupSql.Command(connection, tx, "SELECT COALESCE(MAX(id), 0) FROM events", new Dictionary<string, object>());
        var id = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        await tx.CommitAsync(ct);
        return id;
    }

    private static async Task<(Dictionary<long, HashSet<DateTime>> Hours, long Events)> DirtyHoursAsync(DbConnection connection, DbTransaction tx,
        RollupSql sql, long after, long upto, CancellationToken ct)
    {
        var hours = new Dictionary<long, HashSet<DateTime>>();
        long events = 0;
        if (upto <= after) return (hours, 0);
        await using var command = RollupSql.Command(connection, tx, sql.DirtyHours, new Dictionary<string, object> { ["@after"] = after, ["@upto"] = upto });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            Hours(hours, reader.GetInt64(0)).Add(UtcDateTimeConverter.AsUtc(reader.GetDateTime(1)));
            events += reader.GetInt64(2);
        }
        return (hours, events);
    }

    private static async Task<int> AddChangedSessionsAsync(DbConnection connection, DateTime? since, Dictionary<long, HashSet<DateTime>> hours,
        CancellationToken ct)
    {
        await using var command = RollupSql.Command(connection, null, RollupSql.ChangedSessions,
            new Dictionary<string, object> { ["@since"] = since ?? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc) });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var count = 0;
        while (await reader.ReadAsync(ct))
        {
            count++;
            AddHours(Hours(hours, reader.GetInt64(0)), UtcDateTimeConverter.AsUtc(reader.GetDateTime(1)), UtcDateTimeConverter.AsUtc(reader.GetDateTime(2)));
        }
        return count;
    }

    /// <summary>Every hour from the one holding <paramref name="first"/> to the one holding <paramref name="last"/>.</summary>
    private static void AddHours(HashSet<DateTime> set, DateTime first, DateTime last)
    {
        for (var h = Hour(first); h <= Hour(last); h = h.AddHours(1)) set.Add(h);
    }

    private static async Task<List<(long Id, long Project, DateTime From, DateTime To)>> ReadInvalidationsAsync(DbConnection connection,
        CancellationToken ct)
    {
        var rows = new List<(long, long, DateTime, DateTime)>();
        await using var command = RollupSql.Command(connection, null, RollupInvalidations.Select, new Dictionary<string, object>());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add((reader.GetInt64(0), reader.GetInt64(1), UtcDateTimeConverter.AsUtc(reader.GetDateTime(2)), UtcDateTimeConverter.AsUtc(reader.GetDateTime(3))));
        return rows;
    }

    /// <summary>Replaces a project's day buckets of [from, to) (whole days) by the sums of their hour buckets.</summary>
    private static async Task DeriveDaysAsync(DbConnection connection, DbTransaction tx, RollupSql sql, long project, DateTime from, DateTime to,
        CancellationToken ct)
    {
        var range = new Dictionary<string, object> { ["@grain"] = RollupGrain.Day, ["@project"] = project, ["@from"] = from, ["@to"] = to };
        await RollupSql.ExecuteAsync(connection, tx, sql.DeleteUsage, range, ct);
        await RollupSql.ExecuteAsync(connection, tx, sql.DeleteTools, range, ct);
        range.Remove("@grain");
        await RollupSql.ExecuteAsync(connection, tx, sql.DeriveUsageDays, range, ct);
        await RollupSql.ExecuteAsync(connection, tx, sql.DeriveToolDays, range, ct);
    }

    private static async Task RebuildAsync(DbConnection connection, DbTransaction tx, RollupSql sql, string grain, long project, DateTime from,
        DateTime to, (long After, long Upto) ids, bool incremental, CancellationToken ct)
    {
        var range = new Dictionary<string, object> { ["@grain"] = grain, ["@project"] = project, ["@from"] = from, ["@to"] = to };
        var events = new Dictionary<string, object>(range) { ["@upto"] = ids.Upto };
        if (incremental) events["@after"] = ids.After;
        else
        {
            await RollupSql.ExecuteAsync(connection, tx, sql.DeleteUsage, range, ct);
            await RollupSql.ExecuteAsync(connection, tx, sql.DeleteTools, range, ct);
        }
        await RollupSql.ExecuteAsync(connection, tx, sql.InsertEventUsage(grain, incremental), events, ct);
        await RollupSql.ExecuteAsync(connection, tx, sql.UpsertSessionUsage(grain), range, ct);
        await RollupSql.ExecuteAsync(connection, tx, sql.InsertTools(grain, incremental), events, ct);
    }

    private static HashSet<DateTime> Hours(Dictionary<long, HashSet<DateTime>> hours, long project)
    {
        if (!hours.TryGetValue(project, out var set)) hours[project] = set = [];
        return set;
    }

    /// <summary>Sorted bucket starts of width <paramref name="width"/> as ranges, joining those closer than <see cref="MergeGap"/>.</summary>
    private static IEnumerable<(DateTime From, DateTime To)> Merge(IEnumerable<DateTime> starts, TimeSpan width) =>
        MergeRanges(starts.Select(s => (s, s + width)));

    private static List<(DateTime From, DateTime To)> MergeRanges(IEnumerable<(DateTime From, DateTime To)> ranges)
    {
        var merged = new List<(DateTime From, DateTime To)>();
        foreach (var r in ranges.OrderBy(r => r.From))
        {
            if (merged.Count > 0 && r.From <= merged[^1].To + MergeGap) merged[^1] = (merged[^1].From, Max(merged[^1].To, r.To));
            else merged.Add(r);
        }
        return merged;
    }

    internal static DateTime Hour(DateTime t) => new(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc);
    internal static DateTime Day(DateTime t) => new(t.Year, t.Month, t.Day, 0, 0, 0, DateTimeKind.Utc);
    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
