using System.Data.Common;

namespace DevInsights.Core.Rollups;

/// <summary>The rollup statements of one provider. Every statement works on one project's bucket range
/// [<c>@from</c>, <c>@to</c>) of one grain, so it runs on the (project_id, timestamp) and (project_id, started_at)
/// indexes rather than scanning the event table.</summary>
/// <remarks>The figures are defined as <see cref="Dashboard.DailyUsageRebuilder"/> defines daily_usage's, so the two
/// agree for the same keys (a test holds them to it). A further cost column is one more SUM in <see cref="EventFigures"/>,
/// one more column in 0008's successor, and one more entry in <see cref="AddOnConflict"/>.</remarks>
internal sealed class RollupSql(bool sqlite)
{
    public const string UsageColumns =
        "grain, bucket, project_id, machine_id, workspace_id, developer_id, client, model, events, api_requests, input_tokens, "
        + "output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, duration_ms, tool_calls, tool_successes, tool_errors, "
        + "sessions_started, session_duration_ms, active_time_s, lines_added, lines_removed";

    private const string UsageKey = "grain, bucket, project_id, machine_id, workspace_id, developer_id, client, model";
    private const string ToolKey = "grain, bucket, project_id, machine_id, workspace_id, developer_id, client, tool_name";

    /// <summary>Event figures, summed; their order follows <see cref="UsageColumns"/> from <c>events</c> on.</summary>
    private const string EventFigures =
        "COUNT(*), SUM(CASE WHEN e.type = 'api_request' THEN 1 ELSE 0 END), SUM(e.input_tokens), SUM(e.output_tokens), "
        + "SUM(e.cache_read_tokens), SUM(e.cache_creation_tokens), SUM(COALESCE(e.cost_usd, 0)), SUM(COALESCE(e.duration_ms, 0)), "
        + "SUM(CASE WHEN e.tool_name IS NOT NULL AND e.success IS NOT NULL THEN 1 ELSE 0 END), "
        + "SUM(CASE WHEN e.tool_name IS NOT NULL AND e.success THEN 1 ELSE 0 END), "
        + "SUM(CASE WHEN e.tool_name IS NOT NULL AND NOT e.success THEN 1 ELSE 0 END)";

    private static readonly string[] AddOnConflict =
    [
        "events", "api_requests", "input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens", "cost_usd", "duration_ms",
        "tool_calls", "tool_successes", "tool_errors",
    ];

    private static readonly string[] SessionFigures = ["sessions_started", "session_duration_ms", "active_time_s", "lines_added", "lines_removed"];

    public bool IsSqlite { get; } = sqlite;

    /// <summary>The UTC start of the hour or day holding <paramref name="column"/>, as a bucket value.</summary>
    public string BucketOf(string grain, string column) => (IsSqlite, grain) switch
    {
        (true, RollupGrain.Hour) => $"strftime('%Y-%m-%d %H:00:00', {column})",
        (true, _) => $"strftime('%Y-%m-%d 00:00:00', {column})",
        (false, RollupGrain.Hour) => $"(date_trunc('hour', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')",
        (false, _) => $"(date_trunc('day', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')",
    };

    public string DeleteUsage => "DELETE FROM usage_rollups WHERE project_id = @project AND grain = @grain AND bucket >= @from AND bucket < @to";
    public string DeleteTools => "DELETE FROM tool_rollups WHERE project_id = @project AND grain = @grain AND bucket >= @from AND bucket < @to";

    /// <summary>Sums the range's events with ids up to <c>@upto</c> (the pass's watermark, so buckets hold exactly the events
    /// the watermark says) into usage buckets. <paramref name="incremental"/>: only ids in (<c>@after</c>, <c>@upto</c>],
    /// added onto existing buckets (ranges whose older events retention already deleted).</summary>
    public string InsertEventUsage(string grain, bool incremental)
    {
        var bucket = BucketOf(grain, "e.timestamp");
        return $"""
            INSERT INTO usage_rollups ({UsageColumns})
            SELECT @grain, {bucket}, e.project_id, COALESCE(e.machine_id, 0), COALESCE(e.workspace_id, 0), COALESCE(s.developer_id, ''),
                s.client, COALESCE(e.model, ''), {EventFigures}, 0, 0, 0, 0, 0
            FROM events e JOIN sessions s ON s.id = e.session_id
            WHERE e.project_id = @project AND e.timestamp >= @from AND e.timestamp < @to{Ids(incremental)}
            GROUP BY {bucket}, e.project_id, COALESCE(e.machine_id, 0), COALESCE(e.workspace_id, 0), COALESCE(s.developer_id, ''), s.client, COALESCE(e.model, '')
            {(incremental ? $"ON CONFLICT ({UsageKey}) DO UPDATE SET " + string.Join(", ", AddOnConflict.Select(c => $"{c} = usage_rollups.{c} + excluded.{c}")) : "")}
            """;
    }

    /// <summary>Session figures on the no-model row of each session's start bucket; they replace what the row held
    /// (sessions are never purged, so they are always recomputed whole).</summary>
    public string UpsertSessionUsage(string grain)
    {
        var bucket = BucketOf(grain, "s.started_at");
        return $"""
            INSERT INTO usage_rollups ({UsageColumns})
            SELECT @grain, {bucket}, s.project_id, COALESCE(s.machine_id, 0), COALESCE(s.workspace_id, 0), COALESCE(s.developer_id, ''),
                s.client, '', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                COUNT(*), SUM(s.duration_ms), SUM(COALESCE(m.active_time_user_s, 0)), SUM(s.lines_added), SUM(s.lines_removed)
            FROM sessions s LEFT JOIN session_metrics m ON m.session_id = s.id
            WHERE s.project_id = @project AND s.started_at >= @from AND s.started_at < @to
            GROUP BY {bucket}, s.project_id, COALESCE(s.machine_id, 0), COALESCE(s.workspace_id, 0), COALESCE(s.developer_id, ''), s.client
            ON CONFLICT ({UsageKey}) DO UPDATE SET {string.Join(", ", SessionFigures.Select(c => $"{c} = excluded.{c}"))}
            """;
    }

    /// <summary>A project's day buckets summed from its hour buckets: a day is rebuilt from at most 24 rows per key rather
    /// than from its raw events (today's bucket is rebuilt on every pass), and days keep what purged hours hold.</summary>
    public string DeriveUsageDays
    {
        get
        {
            var day = BucketOf(RollupGrain.Day, "h.bucket");
            var sums = string.Join(", ", AddOnConflict.Concat(SessionFigures).Select(c => $"SUM(h.{c})"));
            return $"""
                INSERT INTO usage_rollups ({UsageColumns})
                SELECT '{RollupGrain.Day}', {day}, h.project_id, h.machine_id, h.workspace_id, h.developer_id, h.client, h.model, {sums}
                FROM usage_rollups h
                WHERE h.project_id = @project AND h.grain = '{RollupGrain.Hour}' AND h.bucket >= @from AND h.bucket < @to
                GROUP BY {day}, h.project_id, h.machine_id, h.workspace_id, h.developer_id, h.client, h.model
                """;
        }
    }

    public string DeriveToolDays
    {
        get
        {
            var day = BucketOf(RollupGrain.Day, "h.bucket");
            return $"""
                INSERT INTO tool_rollups (grain, bucket, project_id, machine_id, workspace_id, developer_id, client, tool_name, calls, successes, errors)
                SELECT '{RollupGrain.Day}', {day}, h.project_id, h.machine_id, h.workspace_id, h.developer_id, h.client, h.tool_name,
                    SUM(h.calls), SUM(h.successes), SUM(h.errors)
                FROM tool_rollups h
                WHERE h.project_id = @project AND h.grain = '{RollupGrain.Hour}' AND h.bucket >= @from AND h.bucket < @to
                GROUP BY {day}, h.project_id, h.machine_id, h.workspace_id, h.developer_id, h.client, h.tool_name
                """;
        }
    }

    /// <summary>Tool buckets count a call once, by the event reporting its outcome (tool name and success set), as
    /// tool_usages and daily_usage do.</summary>
    public string InsertTools(string grain, bool incremental)
    {
        var bucket = BucketOf(grain, "e.timestamp");
        return $"""
            INSERT INTO tool_rollups (grain, bucket, project_id, machine_id, workspace_id, developer_id, client, tool_name, calls, successes, errors)
            SELECT @grain, {bucket}, e.project_id, COALESCE(e.machine_id, 0), COALESCE(e.workspace_id, 0), COALESCE(s.developer_id, ''),
                s.client, e.tool_name, COUNT(*), SUM(CASE WHEN e.success THEN 1 ELSE 0 END), SUM(CASE WHEN NOT e.success THEN 1 ELSE 0 END)
            FROM events e JOIN sessions s ON s.id = e.session_id
            WHERE e.project_id = @project AND e.timestamp >= @from AND e.timestamp < @to AND e.tool_name IS NOT NULL AND e.success IS NOT NULL{Ids(incremental)}
            GROUP BY {bucket}, e.project_id, COALESCE(e.machine_id, 0), COALESCE(e.workspace_id, 0), COALESCE(s.developer_id, ''), s.client, e.tool_name
            {(incremental ? $"ON CONFLICT ({ToolKey}) DO UPDATE SET calls = tool_rollups.calls + excluded.calls, successes = tool_rollups.successes + excluded.successes, errors = tool_rollups.errors + excluded.errors" : "")}
            """;
    }

    private static string Ids(bool incremental) => incremental ? " AND e.id > @after AND e.id <= @upto" : " AND e.id <= @upto";

    public const string SaveState =
        "INSERT INTO rollup_state (name, event_watermark, sessions_checked_at, purged_before, updated_at) VALUES (@name, @upto, @checked, NULL, @now) "
        + "ON CONFLICT (name) DO UPDATE SET event_watermark = excluded.event_watermark, sessions_checked_at = excluded.sessions_checked_at, updated_at = excluded.updated_at";

    /// <summary>A missing state row (before the first pass) would lock nothing: it is made as the first pass finds it,
    /// nothing folded and no session checked.</summary>
    private const string EnsureState =
        "INSERT INTO rollup_state (name, event_watermark, sessions_checked_at, purged_before, updated_at) VALUES (@name, 0, NULL, NULL, now()) "
        + "ON CONFLICT (name) DO NOTHING";

    /// <summary>Reads the watermark (0 before the first pass) and the retention horizon, and holds the state row until
    /// <paramref name="tx"/> ends (PostgreSQL; SQLite's write transaction already excludes every other writer). Every writer
    /// but ingestion takes it first (the rollups pass, retention, re-pricing, a session move, a user deletion), so those
    /// never interleave, nor wait on each other's session and event locks in a cycle.</summary>
    public static async Task<(long Watermark, DateTime? PurgedBefore)> LockStateAsync(DbConnection connection, DbTransaction tx, bool sqlite,
        CancellationToken ct)
    {
        var name = new Dictionary<string, object> { ["@name"] = RollupState.UsageName };
        if (!sqlite) await ExecuteAsync(connection, tx, EnsureState, name, ct);
        await using var command = Command(connection, tx,
            "SELECT event_watermark, purged_before FROM rollup_state WHERE name = @name" + (sqlite ? "" : " FOR UPDATE"), name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return (0, null);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : Data.UtcDateTimeConverter.AsUtc(reader.GetDateTime(1)));
    }

    /// <summary>(project, hour) of every event with an id in (<c>@after</c>, <c>@upto</c>], with how many there are.</summary>
    public string DirtyHours =>
        $"SELECT e.project_id, {BucketOf(RollupGrain.Hour, "e.timestamp")}, COUNT(*) FROM events e WHERE e.id > @after AND e.id <= @upto "
        + $"GROUP BY e.project_id, {BucketOf(RollupGrain.Hour, "e.timestamp")}";

    /// <summary>Sessions changed since <c>@since</c> (new events, metrics, lines): their start may have moved, so every
    /// hour from their start to their last event is re-rolled.</summary>
    public const string ChangedSessions = "SELECT project_id, started_at, last_event_at FROM sessions WHERE updated_at >= @since";

    public static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, IReadOnlyDictionary<string, object> parameters,
        CancellationToken ct)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, IReadOnlyDictionary<string, object> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.CommandTimeout = 600;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }
        return command;
    }
}
