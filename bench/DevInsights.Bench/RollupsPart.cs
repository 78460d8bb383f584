using System.Diagnostics;
using System.Globalization;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Data.Migrations;
using DevInsights.Core.Export;
using DevInsights.Core.Export.Parquet;
using DevInsights.Core.Rollups;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DevInsights.Bench;

/// <summary><c>rollup_*</c> and <c>export_*</c>: the rollups job over 1,000,000 generated events (first pass, a re-run with
/// nothing new, and 10,000 late events spread over the whole month), then exporting those events as daily Parquet files
/// and as one CSV and one JSON Lines stream.</summary>
/// <remarks>A fresh SQLite database migrated by the app (all its indexes), filled with raw prepared inserts: 2 projects,
/// 8 machines, 16 workspaces, 4,000 sessions of 250 events over 30 days (prompts, API requests with tokens and cost,
/// tool decisions and results), ~200 B of attributes per event.</remarks>
public sealed class RollupsPart : IBenchPart
{
    private const int Events = 1_000_000;
    private const int LateEvents = 10_000;
    private const int RecentEvents = 5_000;
    private const int Sessions = 4_000;
    private const int Days = 30;

    private static readonly string[] Types = ["user_prompt", "api_request", "tool_decision", "tool_result", "api_request", "tool_result"];
    private static readonly string[] Tools = ["Bash", "Read", "Edit", "Grep", "Write", "Glob"];
    private static readonly string[] Models = ["claude-sonnet-4-5", "claude-opus-4-1", "gpt-5-codex"];

    public string Name => "rollups";

    public async Task RunAsync(BenchContext context, TextWriter output)
    {
        var ct = context.CancellationToken;
        var directory = context.CreateScratchDirectory("rollups");
        var options = Options.Create(new DevInsightsOptions { DataDirectory = directory, Database = { SqliteSynchronous = context.SqliteSynchronous ?? "Normal" } });
        var connections = new DatabaseConnections(options, new ConfigurationBuilder().Build());
        await new SchemaMigrator(connections, NullLogger<SchemaMigrator>.Instance).MigrateAsync(ct: ct);
        var builder = new DbContextOptionsBuilder<DevInsightsDbContext>();
        connections.Configure(builder);
        var db = new PooledDbContextFactory<DevInsightsDbContext>(builder.Options);
        var start = DateTime.UtcNow.Date.AddDays(-Days);
        try
        {
            BenchContext.Progress($"generating {Events:N0} events");
            await using (var connection = (SqliteConnection)await connections.OpenAsync(ct))
            {
                var sessions = await SeedAsync(connection, start);
                Insert(connection, sessions, start, Events, Arrival.InOrder);
                await using var analyze = connection.CreateCommand();
                analyze.CommandText = "ANALYZE";
                await analyze.ExecuteNonQueryAsync(ct);
            }

            var rollups = new RollupBuilder(connections, db, TimeProvider.System);
            var first = await TimeAsync(() => rollups.RunAsync(ct: ct));
            context.Report(output, "rollup_events", first.Result.NewEvents);
            context.Report(output, "rollup_full_seconds", first.Seconds, 2);
            context.Report(output, "rollup_full_events_per_s", first.Result.NewEvents / first.Seconds);
            var again = await TimeAsync(() => rollups.RunAsync(ct: ct));
            context.Report(output, "rollup_rerun_seconds", again.Seconds, 3);

            await using (var connection = (SqliteConnection)await connections.OpenAsync(ct))
            {
                var sessions = await SessionsAsync(connection);
                Insert(connection, sessions, start, LateEvents, Arrival.Late);
            }
            var late = await TimeAsync(() => rollups.RunAsync(ct: ct));
            await using (var connection = (SqliteConnection)await connections.OpenAsync(ct))
            {
                var sessions = await SessionsAsync(connection);
                Insert(connection, sessions, start, RecentEvents, Arrival.Recent);
            }
            var recent = await TimeAsync(() => rollups.RunAsync(ct: ct));
            context.Report(output, "rollup_late_events", late.Result.NewEvents);
            context.Report(output, "rollup_late_seconds", late.Seconds, 2);
            context.Report(output, "rollup_late_hour_ranges", late.Result.HourRanges);
            context.Report(output, "rollup_recent_events", recent.Result.NewEvents);
            context.Report(output, "rollup_recent_seconds", recent.Seconds, 3);

            var export = new ExportService(connections);
            var from = DateOnly.FromDateTime(start);
            var exportDirectory = Path.Combine(directory, "exports");
            var parquet = await TimeAsync(() => export.WriteDailyFilesAsync([ExportDataset.Events], [new DayRange(from, from.AddDays(Days))], ExportFormat.Parquet,
                exportDirectory, ParquetCompression.Gzip, ct: ct));
            context.Report(output, "export_parquet_rows", parquet.Result.Rows);
            context.Report(output, "export_parquet_seconds", parquet.Seconds, 2);
            context.Report(output, "export_parquet_rows_per_s", parquet.Result.Rows / parquet.Seconds);
            context.Report(output, "export_parquet_megabytes", parquet.Result.Bytes / 1_048_576.0, 1);
            foreach (var format in new[] { ExportFormat.Csv, ExportFormat.Jsonl })
            {
                var stream = await TimeAsync(() => export.StreamAsync(ExportDataset.Events, start, start.AddDays(Days + 1), format, Stream.Null, ct: ct));
                context.Report(output, $"export_{format.Extension()}_rows_per_s", stream.Result / stream.Seconds);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(T Result, double Seconds)> TimeAsync<T>(Func<Task<T>> run)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await run();
        return (result, stopwatch.Elapsed.TotalSeconds);
    }

    private sealed record SessionRow(long Id, long ProjectId, long MachineId, long WorkspaceId);

    private static async Task<List<SessionRow>> SeedAsync(SqliteConnection connection, DateTime start)
    {
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        long Scalar(string sql, params (string, object)[] parameters)
        {
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
            return (long)command.ExecuteScalar()!;
        }
        var projects = Enumerable.Range(0, 2).Select(p => Scalar(
            "INSERT INTO projects (key, name, full_name, created_at, last_activity_at) VALUES ($k, $k, $k, $t, $t) RETURNING id",
            ("$k", $"github.com/acme/bench-{p}"), ("$t", start))).ToArray();
        var machines = Enumerable.Range(0, 8).Select(m => Scalar(
            "INSERT INTO machines (client_machine_id, hostname, first_seen_at, last_seen_at) VALUES ($m, $m, $t, $t) RETURNING id",
            ("$m", $"bench-machine-{m}"), ("$t", start))).ToArray();
        var workspaces = Enumerable.Range(0, 16).Select(w => (Id: Scalar(
            "INSERT INTO workspaces (client_workspace_id, project_id, machine_id, path, first_seen_at, last_seen_at) VALUES ($w, $p, $m, $w, $t, $t) RETURNING id",
            ("$w", $"bench-ws-{w}"), ("$p", projects[w % 2]), ("$m", machines[w % 8]), ("$t", start)), Project: projects[w % 2], Machine: machines[w % 8])).ToArray();
        var sessions = new List<SessionRow>(Sessions);
        for (var s = 0; s < Sessions; s++)
        {
            var w = workspaces[s % workspaces.Length];
            var at = start.AddMinutes(s * (Days * 24 * 60.0 / Sessions));
            sessions.Add(new SessionRow(Scalar(
                "INSERT INTO sessions (client_session_id, workspace_id, project_id, machine_id, developer_id, client, started_at, last_event_at, duration_ms, "
                + "message_count, event_count, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, lines_added, lines_removed, "
                + "created_at, updated_at) VALUES ($c, $w, $p, $m, NULL, $client, $t, $t, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, $t, $t) RETURNING id",
                ("$c", $"bench-session-{s}"), ("$w", w.Id), ("$p", w.Project), ("$m", w.Machine), ("$client", s % 4 == 0 ? "codex" : "claude-code"),
                ("$t", at)), w.Project, w.Machine, w.Id));
        }
        await tx.CommitAsync();
        return sessions;
    }

    private static async Task<List<SessionRow>> SessionsAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, project_id, machine_id, workspace_id FROM sessions ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        var sessions = new List<SessionRow>();
        while (await reader.ReadAsync()) sessions.Add(new SessionRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        return sessions;
    }

    private enum Arrival { InOrder, Late, Recent }

    /// <summary>In order: session s's events follow its start, 250 of them a few seconds apart. Late: anywhere in the month.
    /// Recent: within the month's last hour (what a pass every five minutes typically finds).</summary>
    private static void Insert(SqliteConnection connection, List<SessionRow> sessions, DateTime start, int count, Arrival arrival)
    {
        var late = arrival != Arrival.InOrder;
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO events (session_id, project_id, machine_id, workspace_id, timestamp, type, tool_name, model, input_tokens, output_tokens,
                cache_read_tokens, cache_creation_tokens, cost_usd, duration_ms, success, attributes_json, source, client_event_id, received_at)
            VALUES ($s, $p, $m, $w, $ts, $type, $tool, $model, $in, $out, $cr, $cc, $cost, $d, $ok, $attr, 'api', NULL, $rx)
            """;
        var names = new[] { "$s", "$p", "$m", "$w", "$ts", "$type", "$tool", "$model", "$in", "$out", "$cr", "$cc", "$cost", "$d", "$ok", "$attr", "$rx" };
        var p = names.Select(n => insert.Parameters.Add(new SqliteParameter { ParameterName = n })).ToArray();
        insert.Prepare();
        var random = new Random((int)arrival + 1);
        var received = DateTime.UtcNow;
        var perSession = Events / Sessions;
        for (var done = 0; done < count;)
        {
            using var tx = connection.BeginTransaction();
            insert.Transaction = tx;
            for (var i = 0; i < 1000 && done < count; i++, done++)
            {
                var index = late ? random.Next(sessions.Count) : done / perSession;
                var session = sessions[index];
                var sessionStart = start.AddMinutes(index * (Days * 24 * 60.0 / Sessions));
                var timestamp = arrival switch
                {
                    Arrival.Late => start.AddSeconds(random.NextDouble() * Days * 86_400),
                    Arrival.Recent => start.AddDays(Days).AddSeconds(-random.NextDouble() * 3_600),
                    _ => sessionStart.AddSeconds(done % perSession * 7.3),
                };
                var type = Types[done % Types.Length];
                var tool = type.StartsWith("tool", StringComparison.Ordinal) ? Tools[random.Next(Tools.Length)] : null;
                var request = type == "api_request";
                object?[] values =
                [
                    session.Id, session.ProjectId, session.MachineId, session.WorkspaceId, timestamp, type, tool,
                    request ? Models[session.Id % Models.Length] : null, request ? random.Next(200, 3000) : 0, request ? random.Next(100, 1500) : 0,
                    request ? random.Next(5_000, 40_000) : 0, request ? random.Next(0, 4_000) : 0, request ? Math.Round(random.NextDouble() * 0.05, 6) : null,
                    request || type == "tool_result" ? random.Next(20, 9000) : null, type == "tool_result" ? random.Next(8) != 0 : null,
                    string.Create(CultureInfo.InvariantCulture, $"{{\"prompt.id\":\"{done:x8}\",\"session.id\":\"bench-session-{session.Id}\",\"terminal.type\":\"xterm-256color\",\"app.version\":\"2.1.328\",\"decision\":\"accept\",\"source\":\"config\"}}"),
                    received,
                ];
                for (var k = 0; k < values.Length; k++) p[k].Value = values[k] ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }
}
