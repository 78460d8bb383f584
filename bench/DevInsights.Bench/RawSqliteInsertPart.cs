using System.Diagnostics;
using System.Globalization;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Data.Migrations;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DevInsights.Bench;

/// <summary><c>raw_sqlite_rows_per_s</c>: the ceiling for durable ingestion on this machine, measured in the same
/// run as the app's figures so that a ratio can be quoted.</summary>
/// <remarks>The app's own events table (migrated by <see cref="SchemaMigrator"/>: its three secondary indexes, the
/// unique idempotency index and the foreign key to sessions), opened by <see cref="DatabaseConnections"/> with the
/// app's pragmas (WAL, the app's default <c>synchronous</c> setting unless <c>--sqlite-synchronous</c> says otherwise)
/// and the ingestion writer's (<see cref="DatabaseConnections.SqliteBulkWriterPragmas"/>); one prepared INSERT reused,
/// 1,000 rows per transaction, one writer. Rows look like real telemetry: batches of 250 consecutive events of one
/// session, UUID event ids, ~300 B attribute JSON (<see cref="SyntheticTelemetry"/>).</remarks>
public sealed class RawSqliteInsertPart : IBenchPart
{
    public const int RowsPerTransaction = 1000;
    private const int Sessions = 300;
    private const int EventsPerChunk = 250;

    public string Name => "raw-sqlite";

    public async Task RunAsync(BenchContext context, TextWriter output)
    {
        var synchronous = context.SqliteSynchronous ?? new DatabaseOptions().SqliteSynchronous;
        var rates = new List<double>();
        for (var run = 1; run <= context.Runs; run++)
        {
            var rate = await MeasureOnceAsync(context, synchronous);
            BenchContext.Progress(string.Create(CultureInfo.InvariantCulture, $"raw sqlite run {run}/{context.Runs}: {rate:F0} rows/s"));
            rates.Add(rate);
        }
        BenchContext.Report(output, "raw_sqlite_synchronous", synchronous);
        BenchContext.Report(output, "raw_sqlite_attributes_bytes", SyntheticTelemetry.AverageAttributesLength.ToString("F0", CultureInfo.InvariantCulture));
        BenchContext.Report(output, "raw_sqlite_rows_per_s_runs", string.Join(',', rates.Select(r => r.ToString("F0", CultureInfo.InvariantCulture))));
        context.Report(output, "raw_sqlite_rows_per_s", BenchContext.Median(rates));
    }

    private static async Task<double> MeasureOnceAsync(BenchContext context, string synchronous)
    {
        var directory = context.CreateScratchDirectory("raw-sqlite");
        var options = new DevInsightsOptions { DataDirectory = directory, Database = { SqliteSynchronous = synchronous } };
        var connections = new DatabaseConnections(Options.Create(options), new ConfigurationBuilder().Build());
        await new SchemaMigrator(connections, NullLogger<SchemaMigrator>.Instance).MigrateAsync(ct: context.CancellationToken);
        try
        {
            await using var connection = (SqliteConnection)await connections.OpenAsync(context.CancellationToken);
            // The writer's own settings, so that the ceiling and the app are measured alike.
            await using (var pragmas = connection.CreateCommand())
            {
                pragmas.CommandText = DatabaseConnections.SqliteBulkWriterPragmas;
                await pragmas.ExecuteNonQueryAsync(context.CancellationToken);
            }
            var (projectId, sessionIds) = await SeedSessionsAsync(connection);
            return InsertEvents(connection, projectId, sessionIds, context.Rows);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The parents the events' foreign key needs: one project and <see cref="Sessions"/> sessions.</summary>
    private static async Task<(long ProjectId, long[] SessionIds)> SeedSessionsAsync(SqliteConnection connection)
    {
        var now = DateTime.UtcNow;
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var project = connection.CreateCommand();
        project.Transaction = tx;
        project.CommandText = """
            INSERT INTO projects (key, name, full_name, created_at, last_activity_at)
            VALUES ('github.com/acme/bench', 'bench', 'acme/bench', $now, $now) RETURNING id
            """;
        project.Parameters.AddWithValue("$now", now);
        var projectId = (long)(await project.ExecuteScalarAsync())!;

        await using var session = connection.CreateCommand();
        session.Transaction = tx;
        session.CommandText = """
            INSERT INTO sessions (client_session_id, project_id, client, started_at, last_event_at, duration_ms, message_count,
                event_count, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd,
                lines_added, lines_removed, created_at, updated_at)
            VALUES ($sid, $project, 'claude-code', $now, $now, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, $now, $now) RETURNING id
            """;
        var sid = session.Parameters.Add("$sid", SqliteType.Text);
        session.Parameters.AddWithValue("$project", projectId);
        session.Parameters.AddWithValue("$now", now);
        var ids = new long[Sessions];
        for (var i = 0; i < Sessions; i++)
        {
            sid.Value = Guid.NewGuid().ToString();
            ids[i] = (long)(await session.ExecuteScalarAsync())!;
        }
        await tx.CommitAsync();
        return (projectId, ids);
    }

    private static double InsertEvents(SqliteConnection connection, long projectId, long[] sessionIds, int rows)
    {
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO events (session_id, project_id, machine_id, workspace_id, timestamp, type, tool_name, model,
                input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, duration_ms, success,
                attributes_json, source, client_event_id, received_at)
            VALUES ($session, $project, $machine, $workspace, $ts, $type, $tool, $model, $in, $out, $cread, $ccreate, $cost,
                $duration, $success, $attributes, 'api', $eventId, $received)
            """;
        var session = insert.Parameters.Add("$session", SqliteType.Integer);
        insert.Parameters.AddWithValue("$project", projectId);
        var machine = insert.Parameters.Add("$machine", SqliteType.Integer);
        var workspace = insert.Parameters.Add("$workspace", SqliteType.Integer);
        var timestamp = insert.Parameters.Add("$ts", SqliteType.Text);
        var type = insert.Parameters.Add("$type", SqliteType.Text);
        var tool = insert.Parameters.Add("$tool", SqliteType.Text);
        var model = insert.Parameters.Add("$model", SqliteType.Text);
        var input = insert.Parameters.Add("$in", SqliteType.Integer);
        var outputTokens = insert.Parameters.Add("$out", SqliteType.Integer);
        var cacheRead = insert.Parameters.Add("$cread", SqliteType.Integer);
        var cacheCreation = insert.Parameters.Add("$ccreate", SqliteType.Integer);
        var cost = insert.Parameters.Add("$cost", SqliteType.Real);
        var duration = insert.Parameters.Add("$duration", SqliteType.Integer);
        var success = insert.Parameters.Add("$success", SqliteType.Integer);
        var attributes = insert.Parameters.Add("$attributes", SqliteType.Text);
        var eventId = insert.Parameters.Add("$eventId", SqliteType.Text);
        var received = insert.Parameters.Add("$received", SqliteType.Text);
        insert.Prepare();

        var start = DateTime.UtcNow.AddDays(-1);
        var perSession = new int[sessionIds.Length];
        var stopwatch = Stopwatch.StartNew();
        for (var done = 0; done < rows;)
        {
            using var tx = connection.BeginTransaction();
            insert.Transaction = tx;
            var inThisTransaction = Math.Min(RowsPerTransaction, rows - done);
            for (var i = 0; i < inThisTransaction; i++, done++)
            {
                // A client batch carries consecutive events of one session; sessions take turns.
                var s = done / EventsPerChunk % sessionIds.Length;
                var sequence = perSession[s]++;
                var e = SyntheticTelemetry.For(s, sequence);
                session.Value = sessionIds[s];
                machine.Value = 1 + s % 20;
                workspace.Value = 1 + s % 200;
                timestamp.Value = start.AddMilliseconds(sequence * 250.0 + s);
                type.Value = e.Type;
                tool.Value = (object?)e.Tool ?? DBNull.Value;
                model.Value = (object?)e.Model ?? DBNull.Value;
                input.Value = e.InputTokens;
                outputTokens.Value = e.OutputTokens;
                cacheRead.Value = e.CacheReadTokens;
                cacheCreation.Value = e.CacheCreationTokens;
                cost.Value = (object?)e.CostUsd ?? DBNull.Value;
                duration.Value = (object?)e.DurationMs ?? DBNull.Value;
                success.Value = e.Success is { } ok ? (ok ? 1 : 0) : DBNull.Value;
                attributes.Value = e.Attributes;
                eventId.Value = Guid.NewGuid().ToString();
                received.Value = DateTime.UtcNow;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        stopwatch.Stop();
        return rows / stopwatch.Elapsed.TotalSeconds;
    }
}
