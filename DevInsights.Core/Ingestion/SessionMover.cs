using System.Data.Common;
using DevInsights.Core.Data;
using DevInsights.Core.Rollups;

namespace DevInsights.Core.Ingestion;

/// <summary>Moves a session with its events to another project, machine and workspace, and keeps what is summed beside the
/// raw events exact in the same transaction: the session's contribution to <c>daily_usage</c> and <c>daily_costs</c> leaves
/// the rows of the project its events were in (rows left counting nothing are deleted) and joins the target project's;
/// the hourly and daily rollups of both projects are invalidated (<see cref="RollupInvalidations"/>) for the rollups job.</summary>
/// <remarks>The contribution is computed per event from where each event is now, so events a concurrent batch still wrote
/// with the old place (see <see cref="Otlp.Attribution.OtlpSessionPlacer"/>) move exactly once, by the next move. On
/// PostgreSQL the lock order is: the rollup state row (<see cref="RollupSql.LockStateAsync"/>), the session row (the writer
/// locks it before its own aggregate updates, so a batch of the same session is applied wholly before or after the
/// move), the session's events, then daily rows in the writer's key order. The state row makes a move wait for a rollups
/// chunk or a re-pricing batch in progress (seconds at most).</remarks>
public sealed class SessionMover(DatabaseConnections connections, TimeProvider clock)
{
    /// <summary>Places session <see cref="SessionRef.Id"/> where <paramref name="target"/> says.</summary>
    /// <returns>The number of its events that changed project, or null when the session no longer exists.</returns>
    public async Task<long?> MoveAsync(SessionRef target, CancellationToken ct = default)
    {
        var sqlite = connections.IsSqlite;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The state row before the session: re-pricing and a user deletion lock events before their sessions, which this
        // move locks the other way round; holding the row they take first makes them wait for each other instead.
        await RollupSql.LockStateAsync(connection, tx, sqlite, ct);
        if (await ReadSessionAsync(connection, tx, sqlite, target.Id, ct) is not { } stored) return null;
        var (session, startedAt, lastEventAt) = stored;

        var moved = await SessionContribution.ReadAsync(connection, tx, sqlite, session, except: target.ProjectId, ct);
        var events = moved.Sum(m => m.Usage.Events);
        if (session.ProjectId != target.ProjectId) SessionContribution.AddStart(moved, session, session.ProjectId, startedAt);

        var place = new Dictionary<string, object>
        {
            ["@id"] = target.Id, ["@project"] = target.ProjectId, ["@machine"] = (object?)target.MachineId ?? DBNull.Value,
            ["@workspace"] = (object?)target.WorkspaceId ?? DBNull.Value, ["@now"] = now,
        };
        await RollupSql.ExecuteAsync(connection, tx,
            "UPDATE sessions SET project_id = @project, machine_id = @machine, workspace_id = @workspace, updated_at = @now WHERE id = @id", place, ct);
        place.Remove("@now");
        await RollupSql.ExecuteAsync(connection, tx,
            "UPDATE events SET project_id = @project, machine_id = @machine, workspace_id = @workspace WHERE session_id = @id", place, ct);

        await MoveDailyAsync(connection, tx, moved, target.ProjectId, ct);

        foreach (var g in moved.GroupBy(m => m.Usage.Key.ProjectId))
            await RollupInvalidations.AddAsync(connection, tx, g.Key, g.Min(m => m.First), g.Max(m => m.Last), now, ct);
        await RollupInvalidations.AddAsync(connection, tx, target.ProjectId, startedAt, lastEventAt, now, ct);
        await tx.CommitAsync(ct);
        return events;
    }

    private static async Task<(SessionRef Session, DateTime StartedAt, DateTime LastEventAt)?> ReadSessionAsync(DbConnection connection,
        DbTransaction tx, bool sqlite, long id, CancellationToken ct)
    {
        await using var command = RollupSql.Command(connection, tx,
            "SELECT project_id, machine_id, workspace_id, developer_id, client, started_at, last_event_at FROM sessions WHERE id = @id"
            + (sqlite ? "" : " FOR UPDATE"), new Dictionary<string, object> { ["@id"] = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var session = new SessionRef(id, reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4));
        return (session, UtcDateTimeConverter.AsUtc(reader.GetDateTime(5)), UtcDateTimeConverter.AsUtc(reader.GetDateTime(6)));
    }

    /// <summary>Subtracts each contribution from its key and adds it under <paramref name="projectId"/>: daily_usage first,
    /// then daily_costs, each in key order (the writer's lock order).</summary>
    private static async Task MoveDailyAsync(DbConnection connection, DbTransaction tx, List<SessionContribution> moved, long projectId,
        CancellationToken ct)
    {
        var usage = moved.SelectMany(m => new[] { (Key: m.Usage.Key, Subtract: true, m.Usage), (Key: m.Usage.Key with { ProjectId = projectId }, Subtract: false, m.Usage) })
            .OrderBy(u => u.Key).ToList();
        foreach (var (key, subtract, delta) in usage)
        {
            var values = DailyAggregateSql.Parameters(delta.Values(key));
            if (!subtract)
            {
                await RollupSql.ExecuteAsync(connection, tx, DailyAggregateSql.UpsertUsage, values, ct);
                continue;
            }
            await RollupSql.ExecuteAsync(connection, tx, DailyAggregateSql.SubtractUsage, values, ct);
            await RollupSql.ExecuteAsync(connection, tx, DailyAggregateSql.DeleteEmptyUsage, KeyOnly(values), ct);
        }

        var costs = moved.Where(m => m.Cost is not null)
            .SelectMany(m => new[] { (Key: m.Usage.Key, Subtract: true, Cost: m.Cost!), (Key: m.Usage.Key with { ProjectId = projectId }, Subtract: false, Cost: m.Cost!) })
            .OrderBy(c => c.Key).ToList();
        foreach (var (key, subtract, delta) in costs)
        {
            var values = DailyAggregateSql.Parameters(delta.Values(key));
            await RollupSql.ExecuteAsync(connection, tx, subtract ? DailyAggregateSql.SubtractCost : DailyAggregateSql.UpsertCost, values, ct);
        }
        // A cost row is empty once its key has no event left, whether or not this session added to it.
        foreach (var m in moved)
            await RollupSql.ExecuteAsync(connection, tx, DailyAggregateSql.DeleteEmptyCost, KeyOnly(DailyAggregateSql.Parameters(m.Usage.Values(m.Usage.Key))), ct);
    }

    private static Dictionary<string, object> KeyOnly(Dictionary<string, object> values) =>
        values.Where(v => v.Key is "@p0" or "@p1" or "@p2" or "@p3" or "@p4").ToDictionary(v => v.Key, v => v.Value);

}
