using System.Data.Common;
using DevInsights.Core.Data;
using Npgsql;
using NpgsqlTypes;

namespace DevInsights.Core.Ingestion;

/// <summary>PostgreSQL: binary COPY of the group into a per-connection temp table, then one
/// <c>INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING</c> that says which rows were new.</summary>
internal sealed class PostgresIngestionStore(DatabaseConnections connections, IngestionSessionCache cache, Pricing.PriceBook prices, TimeProvider clock)
    : IngestionStore(connections, cache, prices, clock)
{
    private const string StagingTable = "ingest_events_staging";

    private NpgsqlConnection? _connection;

    // Another instance may write the same session: lock its row while its aggregates are recomputed.
    protected override string LockClause => " FOR UPDATE";

    protected override async Task OpenCoreAsync(DbConnection connection, CancellationToken ct)
    {
        _connection = (NpgsqlConnection)connection;
        // Lives as long as the connection; emptied by every commit, so each transaction starts with it empty.
        await using var cmd = new NpgsqlCommand(
            $"CREATE TEMP TABLE IF NOT EXISTS {StagingTable} (session_id bigint, project_id bigint, machine_id bigint, workspace_id bigint, "
            + "timestamp timestamptz, type text, tool_name text, model text, input_tokens bigint, output_tokens bigint, "
            + "cache_read_tokens bigint, cache_creation_tokens bigint, cost_usd double precision, duration_ms bigint, success boolean, "
            + "attributes_json text, source text, client_event_id text, received_at timestamptz, computed_cost_usd double precision, price_id bigint, cost_source text) ON COMMIT DELETE ROWS", _connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    protected override async Task InsertEventsAsync(DbTransaction tx, List<EventRow> rows, IReadOnlyList<IngestBatch> batches, DateTime receivedAt, CancellationToken ct)
    {
        // Repeats of one key inside the group are duplicates of its first row: leave them out of the COPY, so every
        // key the INSERT returns maps to exactly one row.
        var firstByKey = new Dictionary<(long, string), EventRow>();
        var staged = new List<EventRow>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Event.ClientEventId is { } eventId && !firstByKey.TryAdd((row.Session.Id, eventId), row)) continue;
            staged.Add(row);
        }

        await using (var copy = await _connection!.BeginBinaryImportAsync($"COPY {StagingTable} ({EventColumns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var row in staged)
                await WriteRowAsync(copy, row, batches[row.BatchIndex].Source, receivedAt, ct);
            await copy.CompleteAsync(ct);
        }

        await using var insert = new NpgsqlCommand(
            $"INSERT INTO events ({EventColumns}) SELECT {EventColumns} FROM {StagingTable} "
            + "ON CONFLICT (session_id, client_event_id) WHERE client_event_id IS NOT NULL DO NOTHING "
            + "RETURNING session_id, client_event_id", _connection, (NpgsqlTransaction)tx);
        var inserted = new HashSet<(long, string)>();
        var returned = 0;
        await using (var reader = await insert.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                returned++;
                if (!reader.IsDBNull(1)) inserted.Add((reader.GetInt64(0), reader.GetString(1)));
            }
        }
        foreach (var row in staged)
            row.Inserted = row.Event.ClientEventId is not { } eventId || inserted.Contains((row.Session.Id, eventId));
        var expected = staged.Count(r => r.Inserted);
        if (returned != expected)
            throw new InvalidOperationException($"The events insert returned {returned} rows where {expected} were expected.");
    }

    protected override async Task ResetAsync()
    {
        _connection = null;
        await base.ResetAsync();
    }

    private static async Task WriteRowAsync(NpgsqlBinaryImporter copy, EventRow row, string source, DateTime receivedAt, CancellationToken ct)
    {
        var e = row.Event;
        var s = row.Session;
        await copy.StartRowAsync(ct);
        await copy.WriteAsync(s.Id, NpgsqlDbType.Bigint, ct);
        await copy.WriteAsync(s.ProjectId, NpgsqlDbType.Bigint, ct);
        await WriteNullableAsync(copy, s.MachineId, NpgsqlDbType.Bigint, ct);
        await WriteNullableAsync(copy, s.WorkspaceId, NpgsqlDbType.Bigint, ct);
        await copy.WriteAsync(row.Timestamp, NpgsqlDbType.TimestampTz, ct);
        await copy.WriteAsync(e.Type, NpgsqlDbType.Text, ct);
        await WriteNullableAsync(copy, e.ToolName, NpgsqlDbType.Text, ct);
        await WriteNullableAsync(copy, e.Model, NpgsqlDbType.Text, ct);
        await copy.WriteAsync(e.InputTokens, NpgsqlDbType.Bigint, ct);
        await copy.WriteAsync(e.OutputTokens, NpgsqlDbType.Bigint, ct);
        await copy.WriteAsync(e.CacheReadTokens, NpgsqlDbType.Bigint, ct);
        await copy.WriteAsync(e.CacheCreationTokens, NpgsqlDbType.Bigint, ct);
        await WriteNullableAsync(copy, row.Cost.CostUsd, NpgsqlDbType.Double, ct);
        await WriteNullableAsync(copy, e.DurationMs, NpgsqlDbType.Bigint, ct);
        await WriteNullableAsync(copy, e.Success, NpgsqlDbType.Boolean, ct);
        await WriteNullableAsync(copy, e.AttributesJson, NpgsqlDbType.Text, ct);
        await copy.WriteAsync(source, NpgsqlDbType.Text, ct);
        await WriteNullableAsync(copy, e.ClientEventId, NpgsqlDbType.Text, ct);
        await copy.WriteAsync(receivedAt, NpgsqlDbType.TimestampTz, ct);
        await WriteNullableAsync(copy, row.Cost.ComputedCostUsd, NpgsqlDbType.Double, ct);
        await WriteNullableAsync(copy, row.Cost.PriceId, NpgsqlDbType.Bigint, ct);
        await WriteNullableAsync(copy, row.Cost.Source, NpgsqlDbType.Text, ct);
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : class =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct =>
        value is { } v ? copy.WriteAsync(v, type, ct) : copy.WriteNullAsync(ct);
}
