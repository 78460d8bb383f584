using System.Data.Common;
using System.Globalization;
using System.Text;
using DevInsights.Core.Data;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Sessions;

namespace DevInsights.Core.Otlp.Storage;

/// <summary>A converted point with who sent it: its session's owner or, without a session, its resource's developer.</summary>
public sealed record OtlpPointToStore(OtlpMetricPoint Point, long? MachineId, string? DeveloperId);

/// <summary>What storing one metrics export did.</summary>
/// <param name="Inserted">New points; the rest were already stored (a retried export).</param>
public sealed record OtlpMetricsWritten(int Inserted, int Duplicates);

/// <summary>
/// Stores metric points and what they add to sessions, in one transaction, idempotently: points are inserted with
/// <c>ON CONFLICT (point_id) DO NOTHING … RETURNING point_id</c>, and only the points really inserted add to
/// <c>session_metrics</c>, <c>code_edit_decisions</c> and <c>sessions.lines_added/removed</c> — so a retried export
/// (same point ids) stores nothing twice and adds nothing twice. Sessions that exist only through metrics so far are
/// created, like the ingestion writer creates them from events. Raw SQL on its own connection: one export is at most a
/// few thousand rows (Codex sends ~0.8 MB of JSON at exit), so this stays beside the event writer, not in it.
/// </summary>
public sealed class OtlpMetricsStore(DatabaseConnections connections, TimeProvider clock)
{
    private const string PointColumns =
        "point_id, series_key, session_id, machine_id, developer_id, client, service_name, scope_name, name, unit, kind, temporality, "
        + "is_monotonic, attributes_json, start_time, \"time\", value, increment, count, sum, sum_increment, min, max, buckets_json, received_at";
    private const int ColumnsPerPoint = 25;
    private const int PointsPerStatement = 200;

    /// <param name="sessions">The context of every session the points name (from <c>OtlpSessionPlacer</c>), for those
    /// that do not exist yet; <paramref name="existing"/> gives the ids of those that do.</param>
    public async Task<OtlpMetricsWritten> WriteAsync(IReadOnlyList<OtlpPointToStore> points, IReadOnlyDictionary<string, SessionContext> sessions,
        IReadOnlyDictionary<string, SessionRef> existing, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) return new OtlpMetricsWritten(0, 0);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await connections.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        var sessionIds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in points.Where(p => p.Point.ClientSessionId is not null).GroupBy(p => p.Point.ClientSessionId!, StringComparer.Ordinal))
        {
            sessionIds[group.Key] = existing.TryGetValue(group.Key, out var known) ? known.Id
                : await EnsureSessionAsync(connection, tx, group.Key, sessions[group.Key], group.Min(p => p.Point.Time), group.Max(p => p.Point.Time), now, ct);
        }

        // One row per point id: a point repeated inside one export is the same point.
        var unique = points.DistinctBy(p => p.Point.PointId, StringComparer.Ordinal).ToList();
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        for (var start = 0; start < unique.Count; start += PointsPerStatement)
        {
            var chunk = unique.GetRange(start, Math.Min(PointsPerStatement, unique.Count - start));
            await InsertPointsAsync(connection, tx, chunk, sessionIds, now, inserted, ct);
        }

        // Ascending session ids: concurrent writers lock session rows in the same order.
        foreach (var (clientSessionId, sessionId) in sessionIds.OrderBy(s => s.Value))
        {
            var added = OtlpSessionMetrics.Sum(clientSessionId,
                unique.Where(p => p.Point.ClientSessionId == clientSessionId && inserted.Contains(p.Point.PointId)).Select(p => p.Point));
            if (added.FirstTime != DateTime.MaxValue) await AddToSessionAsync(connection, tx, sessionId, added, now, ct);
        }

        await tx.CommitAsync(ct);
        return new OtlpMetricsWritten(inserted.Count, points.Count - inserted.Count);
    }

    private static async Task InsertPointsAsync(DbConnection connection, DbTransaction tx, List<OtlpPointToStore> chunk,
        Dictionary<string, long> sessionIds, DateTime now, HashSet<string> inserted, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        var sql = new StringBuilder($"INSERT INTO metric_points ({PointColumns}) VALUES ");
        for (var i = 0; i < chunk.Count; i++)
        {
            var (p, machineId, developerId) = chunk[i];
            sql.Append(i == 0 ? "(" : ", (");
            for (var c = 0; c < ColumnsPerPoint; c++) sql.Append(c == 0 ? "" : ", ").Append("@p").Append(i * ColumnsPerPoint + c);
            sql.Append(')');
            object?[] values =
            [
                p.PointId, p.SeriesKey, p.ClientSessionId is { } s ? sessionIds[s] : null, machineId, developerId,
                ClientKind.Normalize(p.Client), Clip(p.ServiceName, 200), Clip(p.ScopeName, 200), Clip(p.Name, 200)!, Clip(p.Unit, 50),
                p.Kind.ToString(), p.Temporality.ToString(), p.IsMonotonic, p.AttributesJson, p.StartTime, p.Time,
                p.Value, p.Increment, p.Count, p.Sum, p.SumIncrement, p.Min, p.Max, p.BucketsJson, now,
            ];
            foreach (var value in values) Add(cmd, value);
        }

        cmd.CommandText = sql.Append(" ON CONFLICT (point_id) DO NOTHING RETURNING point_id").ToString();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) inserted.Add(reader.GetString(0));
    }

    private static async Task<long> EnsureSessionAsync(DbConnection connection, DbTransaction tx, string clientSessionId, SessionContext context,
        DateTime first, DateTime last, DateTime now, CancellationToken ct)
    {
        // The same statement shape as the ingestion writer's: whichever of the two creates the session, the other
        // finds it (ON CONFLICT DO NOTHING, then a look-up), and later events widen started_at/last_event_at.
        var created = await ScalarAsync(connection, tx,
            "INSERT INTO sessions (client_session_id, workspace_id, project_id, machine_id, developer_id, client, started_at, last_event_at, "
            + "duration_ms, message_count, event_count, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, "
            + "lines_added, lines_removed, created_at, updated_at) "
            + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, 0, 0, 0, 0, 0, 0, 0, 0, 0, @p9, @p9) "
            + "ON CONFLICT (client_session_id) DO NOTHING RETURNING id",
            [clientSessionId, context.WorkspaceId, context.ProjectId, context.MachineId, context.DeveloperId, ClientKind.Normalize(context.Client),
                first, last, (long)(last - first).TotalMilliseconds, now], ct);
        created ??= await ScalarAsync(connection, tx, "SELECT id FROM sessions WHERE client_session_id = @p0", [clientSessionId], ct);
        return Convert.ToInt64(created ?? throw new InvalidOperationException($"Session '{clientSessionId}' vanished while being created."),
            CultureInfo.InvariantCulture);
    }

    private static async Task AddToSessionAsync(DbConnection connection, DbTransaction tx, long sessionId, OtlpSessionMetrics m, DateTime now, CancellationToken ct)
    {
        await ExecuteAsync(connection, tx,
            "INSERT INTO session_metrics (session_id, active_time_user_s, active_time_cli_s, lines_added, lines_removed, commits, pull_requests, updated_at) "
            + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7) ON CONFLICT (session_id) DO UPDATE SET "
            + "active_time_user_s = session_metrics.active_time_user_s + excluded.active_time_user_s, "
            + "active_time_cli_s = session_metrics.active_time_cli_s + excluded.active_time_cli_s, "
            + "lines_added = session_metrics.lines_added + excluded.lines_added, lines_removed = session_metrics.lines_removed + excluded.lines_removed, "
            + "commits = session_metrics.commits + excluded.commits, pull_requests = session_metrics.pull_requests + excluded.pull_requests, "
            + "updated_at = excluded.updated_at",
            [sessionId, m.ActiveTimeUserSeconds, m.ActiveTimeCliSeconds, m.LinesAdded, m.LinesRemoved, m.Commits, m.PullRequests, now], ct);
        foreach (var d in m.CodeEditDecisions)
        {
            await ExecuteAsync(connection, tx,
                "INSERT INTO code_edit_decisions (session_id, tool_name, decision, language, count) VALUES (@p0, @p1, @p2, @p3, @p4) "
                + "ON CONFLICT (session_id, tool_name, decision, language) DO UPDATE SET count = code_edit_decisions.count + excluded.count",
                [sessionId, Clip(d.ToolName, 200), Clip(d.Decision, 50), Clip(d.Language, 100) ?? "", d.Count], ct);
        }

        if (m.LinesAdded != 0 || m.LinesRemoved != 0)
        {
            await ExecuteAsync(connection, tx,
                "UPDATE sessions SET lines_added = lines_added + @p1, lines_removed = lines_removed + @p2, updated_at = @p3 WHERE id = @p0",
                [sessionId, (int)Math.Min(m.LinesAdded, int.MaxValue), (int)Math.Min(m.LinesRemoved, int.MaxValue), now], ct);
        }
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction tx, string sql, object?[] values, CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, sql, values);
        var result = await cmd.ExecuteScalarAsync(ct);
        return result is DBNull ? null : result;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction tx, string sql, object?[] values, CancellationToken ct)
    {
        await using var cmd = Command(connection, tx, sql, values);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction tx, string sql, object?[] values)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var value in values) Add(cmd, value);
        return cmd;
    }

    private static void Add(DbCommand cmd, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = "@p" + cmd.Parameters.Count.ToString(CultureInfo.InvariantCulture);
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
    }

    private static string? Clip(string? text, int max) => text is { } t && t.Length > max ? t[..max] : text;
}
