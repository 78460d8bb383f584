using System.Data.Common;
using DevInsights.Core.Data;

namespace DevInsights.Core.Ingestion;

/// <summary>What one committed transaction did: a result per merged batch, and the notification to raise.</summary>
internal sealed record GroupOutcome(IReadOnlyList<IngestResult> Results, IngestionCommitted? Committed);

/// <summary>Writes merged batches in one transaction on one long-lived raw connection (no change tracker):
/// resolves or creates sessions, inserts events idempotently (provider-specific), then brings session, tool
/// and project aggregates up to date from the events that were really new.</summary>
/// <remarks>Used by the single writer loop only, so it is not thread-safe.</remarks>
internal abstract class IngestionStore(DatabaseConnections connections, IngestionSessionCache cache, Pricing.PriceBook prices, TimeProvider clock) : IAsyncDisposable
{
    protected const string EventColumns =
        "session_id, project_id, machine_id, workspace_id, timestamp, type, tool_name, model, input_tokens, output_tokens, "
        + "cache_read_tokens, cache_creation_tokens, cost_usd, duration_ms, success, attributes_json, source, client_event_id, received_at, "
        + "computed_cost_usd, price_id, cost_source";

    private DbConnection? _connection;
    private PositionalCommand? _findSession;
    private PositionalCommand? _createSession;
    private PositionalCommand? _readSessionState;
    private PositionalCommand? _updateSession;
    private PositionalCommand? _upsertTool;
    private PositionalCommand? _touchProject;
    private PositionalCommand? _upsertDailyUsage;
    private PositionalCommand? _upsertDailyCost;
    private PositionalCommand? _deleteEmptyUsage;

    public static IngestionStore Create(DatabaseConnections connections, IngestionSessionCache cache, Pricing.PriceBook prices, TimeProvider clock) =>
        connections.IsSqlite ? new SqliteIngestionStore(connections, cache, prices, clock) : new PostgresIngestionStore(connections, cache, prices, clock);

    public async Task<GroupOutcome> WriteAsync(IReadOnlyList<IngestBatch> batches, CancellationToken ct)
    {
        var connection = await EnsureOpenAsync(ct);
        // Loaded (or refreshed) outside the transaction: the database is not held while prices are read.
        var priceTable = await prices.CurrentAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await connection.BeginTransactionAsync(ct);
        try
        {
            var resolved = new Dictionary<string, SessionRef>(StringComparer.Ordinal);
            var created = new HashSet<long>();
            var rows = new List<EventRow>(batches.Sum(b => b.Events.Count));
            for (var b = 0; b < batches.Count; b++)
            {
                await ResolveSessionsAsync(batches[b], tx, resolved, created, now, ct);
                foreach (var e in batches[b].Events)
                {
                    var timestamp = UtcDateTimeConverter.AsUtc(e.Timestamp);
                    rows.Add(new EventRow(e, b, resolved[e.ClientSessionId], timestamp) { Cost = EventPricing.Price(e, timestamp, priceTable) });
                }
            }

            await InsertEventsAsync(tx, rows, batches, now, ct);
            var deltas = SessionDelta.FromRows(rows);
            var earlierStarts = await ApplyAggregatesAsync(tx, deltas, created, now, ct);
            var daily = DailyUsageDelta.FromRows(rows, deltas.Where(d => created.Contains(d.Session.Id)), earlierStarts);
            await ApplyDailyUsageAsync(tx, daily, earlierStarts, ct);
            await ApplyDailyCostsAsync(tx, daily, ct);
            await tx.CommitAsync(ct);

            cache.AddRange(resolved);
            return Outcome(batches, rows, deltas, now);
        }
        catch
        {
            // A failed transaction may have created sessions that no longer exist, or hit a session deleted
            // behind the cache's back: forget everything, and start from a fresh connection.
            cache.Clear();
            try
            {
                await tx.RollbackAsync(CancellationToken.None);
            }
            catch (Exception rollback) when (rollback is DbException or InvalidOperationException)
            {
                // The connection is broken or the transaction already ended: resetting the connection below is enough.
            }
            await ResetAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await ResetAsync();

    /// <summary>The open connection, if any.</summary>
    protected DbConnection? Connection => _connection;

    protected abstract Task OpenCoreAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Inserts every row unless its (session, client event id) exists, and sets <see cref="EventRow.Inserted"/>.</summary>
    protected abstract Task InsertEventsAsync(DbTransaction tx, List<EventRow> rows, IReadOnlyList<IngestBatch> batches, DateTime receivedAt, CancellationToken ct);

    /// <summary>Appended to the session state read, e.g. a row lock where other writers may exist.</summary>
    protected virtual string LockClause => "";

    protected virtual async Task ResetAsync()
    {
        if (_connection is null) return;
        await _connection.DisposeAsync();
        _connection = null;
    }

    protected static object Db(object? value) => value ?? DBNull.Value;

    private async Task<DbConnection> EnsureOpenAsync(CancellationToken ct)
    {
        if (_connection is not null) return _connection;
        var connection = await connections.OpenAsync(ct);
        try
        {
            await OpenCoreAsync(connection, ct);
            _findSession = new PositionalCommand(connection,
                "SELECT id, project_id, machine_id, workspace_id, developer_id, client FROM sessions WHERE client_session_id = @p0", 1);
            _createSession = new PositionalCommand(connection,
                "INSERT INTO sessions (client_session_id, workspace_id, project_id, machine_id, developer_id, client, started_at, last_event_at, "
                + "duration_ms, message_count, event_count, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, "
                + "lines_added, lines_removed, created_at, updated_at) "
                + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, @p8, @p8) "
                + "ON CONFLICT (client_session_id) DO NOTHING RETURNING id", 9);
            _readSessionState = new PositionalCommand(connection,
                "SELECT started_at, last_event_at, models, project_id FROM sessions WHERE id = @p0" + LockClause, 1);
            _updateSession = new PositionalCommand(connection,
                "UPDATE sessions SET event_count = event_count + @p1, input_tokens = input_tokens + @p2, output_tokens = output_tokens + @p3, "
                + "cache_read_tokens = cache_read_tokens + @p4, cache_creation_tokens = cache_creation_tokens + @p5, cost_usd = cost_usd + @p6, "
                + "message_count = message_count + @p7, started_at = @p8, last_event_at = @p9, duration_ms = @p10, models = @p11, updated_at = @p12, "
                + "computed_cost_usd = computed_cost_usd + @p13, unpriced_events = unpriced_events + @p14 "
                + "WHERE id = @p0", 15);
            _upsertTool = new PositionalCommand(connection,
                "INSERT INTO tool_usages (session_id, tool_name, calls, successes, errors) VALUES (@p0, @p1, @p2, @p3, @p4) "
                + "ON CONFLICT (session_id, tool_name) DO UPDATE SET calls = tool_usages.calls + excluded.calls, "
                + "successes = tool_usages.successes + excluded.successes, errors = tool_usages.errors + excluded.errors", 5);
            _touchProject = new PositionalCommand(connection,
                "UPDATE projects SET last_activity_at = @p1 WHERE id = @p0 AND last_activity_at < @p1", 2);
            _upsertDailyUsage = new PositionalCommand(connection, DailyAggregateSql.UpsertUsage, 15);
            _upsertDailyCost = new PositionalCommand(connection, DailyAggregateSql.UpsertCost, 10);
            _deleteEmptyUsage = new PositionalCommand(connection, DailyAggregateSql.DeleteEmptyUsage, 5);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        _connection = connection;
        return connection;
    }

    /// <summary>Finds (cache, then database) or creates every session of <paramref name="batch"/>, and refuses the
    /// batch when its context names a developer other than a session's owner.</summary>
    private async Task ResolveSessionsAsync(IngestBatch batch, DbTransaction tx, Dictionary<string, SessionRef> resolved,
        HashSet<long> created, DateTime now, CancellationToken ct)
    {
        List<string>? foreign = null;
        HashSet<string>? checkedIds = null;
        foreach (var e in batch.Events)
        {
            var clientSessionId = e.ClientSessionId;
            if (!(checkedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(clientSessionId)) continue;
            batch.Sessions.TryGetValue(clientSessionId, out var context);
            if (!resolved.TryGetValue(clientSessionId, out var session))
            {
                session = cache.TryGet(clientSessionId, out var cached) ? cached
                    : await FindSessionAsync(tx, clientSessionId, ct)
                      ?? await CreateSessionAsync(tx, batch, clientSessionId, context, created, now, ct);
                resolved[clientSessionId] = session;
            }
            if (context is { AdoptExisting: false, DeveloperId: { } developer } && session.DeveloperId != developer)
                (foreign ??= []).Add(clientSessionId);
        }
        if (foreign is not null) throw new SessionOwnershipException(foreign);
    }

    private async Task<SessionRef?> FindSessionAsync(DbTransaction tx, string clientSessionId, CancellationToken ct)
    {
        await using var reader = await _findSession!.Bind(tx, clientSessionId).ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new SessionRef(reader.GetInt64(0), reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetInt64(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.GetString(5));
    }

    private async Task<SessionRef> CreateSessionAsync(DbTransaction tx, IngestBatch batch, string clientSessionId, SessionContext? context,
        HashSet<long> created, DateTime now, CancellationToken ct)
    {
        if (context is null)
            throw new ArgumentException($"Session '{clientSessionId}' does not exist and the batch gives no context to create it.", nameof(batch));
        // Placeholder bounds until the aggregate update of this same transaction sets them from the new events.
        var times = batch.Events.Where(e => e.ClientSessionId == clientSessionId).Select(e => UtcDateTimeConverter.AsUtc(e.Timestamp)).ToList();
        var client = Sessions.ClientKind.Normalize(context.Client);
        var id = await _createSession!.Bind(tx, clientSessionId, Db(context.WorkspaceId), context.ProjectId, Db(context.MachineId),
            Db(context.DeveloperId), client, times.Min(), times.Max(), now).ExecuteScalarAsync(ct);
        if (id is null or DBNull)
        {
            // Created by another writer (another instance) since we looked: use theirs.
            return await FindSessionAsync(tx, clientSessionId, ct)
                ?? throw new InvalidOperationException($"Session '{clientSessionId}' vanished while being created.");
        }
        var session = new SessionRef(Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture),
            context.ProjectId, context.MachineId, context.WorkspaceId, context.DeveloperId, client);
        created.Add(session.Id);
        return session;
    }

    /// <returns>Existing sessions whose start moved to an earlier day (a late event), with their old start.</returns>
    private async Task<List<(SessionRef Session, DateTime From, DateTime To)>> ApplyAggregatesAsync(DbTransaction tx, List<SessionDelta> deltas,
        HashSet<long> created, DateTime now, CancellationToken ct)
    {
        var projects = new Dictionary<long, DateTime>();
        var earlierStarts = new List<(SessionRef, DateTime, DateTime)>();
        // Ascending ids: concurrent writers (several PostgreSQL instances) take row locks in the same order.
        foreach (var delta in deltas.OrderBy(d => d.Session.Id))
        {
            var id = delta.Session.Id;
            DateTime first = delta.First, last = delta.Last;
            string? models = null;
            if (!created.Contains(id))
            {
                await using var reader = await _readSessionState!.Bind(tx, id).ExecuteReaderAsync(ct);
                if (!await reader.ReadAsync(ct)) throw new InvalidOperationException($"Session {id} vanished during ingestion.");
                var started = UtcDateTimeConverter.AsUtc(reader.GetDateTime(0));
                var lastEvent = UtcDateTimeConverter.AsUtc(reader.GetDateTime(1));
                if (started < first) first = started;
                // The session's start is counted under the project it is in now, which a move may have changed since this
                // batch took its place from the cache (its events still go where the cache said, to be moved again later).
                else if (first.Date < started.Date) earlierStarts.Add((delta.Session with { ProjectId = reader.GetInt64(3) }, started, first));
                if (lastEvent > last) last = lastEvent;
                models = reader.IsDBNull(2) ? null : reader.GetString(2);
            }
            models = SessionDelta.MergeModels(models, delta.Models);
            var durationMs = (long)(last - first).TotalMilliseconds;
            await _updateSession!.Bind(tx, id, delta.Events, delta.InputTokens, delta.OutputTokens, delta.CacheReadTokens,
                delta.CacheCreationTokens, delta.CostUsd, delta.Messages, first, last, durationMs, Db(models), now, delta.ComputedCostUsd,
                delta.UnpricedEvents).ExecuteNonQueryAsync(ct);

            foreach (var (tool, counts) in delta.Tools)
                await _upsertTool!.Bind(tx, id, tool, counts.Calls, counts.Successes, counts.Errors).ExecuteNonQueryAsync(ct);

            var projectId = delta.Session.ProjectId;
            if (!projects.TryGetValue(projectId, out var latest) || delta.Last > latest) projects[projectId] = delta.Last;
        }
        foreach (var (projectId, latest) in projects)
            await _touchProject!.Bind(tx, projectId, latest).ExecuteNonQueryAsync(ct);
        return earlierStarts;
    }

    /// <summary>Adds the transaction's sums to the daily rollup the dashboard reads, in the same transaction as the events.</summary>
    private async Task ApplyDailyUsageAsync(DbTransaction tx, List<DailyUsageDelta> deltas,
        List<(SessionRef Session, DateTime From, DateTime To)> earlierStarts, CancellationToken ct)
    {
        foreach (var d in deltas) await _upsertDailyUsage!.Bind(tx, d.Values(d.Key)).ExecuteNonQueryAsync(ct);
        // A start moved off a day may leave that row counting nothing, which the raw data no longer has (a move deletes
        // such rows too). The row was locked by its upsert above, so this takes no lock out of key order.
        foreach (var (session, from, _) in earlierStarts)
        {
            var key = DailyUsageKey.Of(from, session.ProjectId, session.DeveloperId, session.Client, null);
            await _deleteEmptyUsage!.Bind(tx, key.Day, key.ProjectId, key.DeveloperId, key.Client, key.Model).ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Adds the transaction's client, computed and unpriced figures to the daily cost rollup, in the same transaction.</summary>
    private async Task ApplyDailyCostsAsync(DbTransaction tx, List<DailyUsageDelta> deltas, CancellationToken ct)
    {
        foreach (var d in deltas)
            if (d.Cost is { } cost) await _upsertDailyCost!.Bind(tx, cost.Values()).ExecuteNonQueryAsync(ct);
    }

    private static GroupOutcome Outcome(IReadOnlyList<IngestBatch> batches, List<EventRow> rows, List<SessionDelta> deltas, DateTime now)
    {
        var inserted = new int[batches.Count];
        var duplicates = new int[batches.Count];
        foreach (var row in rows)
        {
            if (row.Inserted) inserted[row.BatchIndex]++;
            else duplicates[row.BatchIndex]++;
        }
        var results = batches.Select((_, i) => new IngestResult(inserted[i], duplicates[i])).ToList();
        var total = inserted.Sum();
        var committed = total == 0 ? null : new IngestionCommitted(
            deltas.Select(d => d.Session.Id).ToList(),
            deltas.Select(d => d.Session.ProjectId).Distinct().ToList(),
            total,
            batches.Select(b => b.Source).Distinct(StringComparer.Ordinal).ToList(),
            now);
        return new GroupOutcome(results, committed);
    }
}
