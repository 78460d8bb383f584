using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Ingestion;
using DevInsights.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static DevInsights.Tests.Ingestion.IngestionTestKit;

namespace DevInsights.Tests.Ingestion;

/// <summary>A throughput check, not a timed test: it reports events/s (fresh and duplicate) and asserts only that
/// every event was counted right. Scale it with <c>DEVINSIGHTS_THROUGHPUT_BATCHES</c> (1,000 events each) and read
/// the figures with <c>dotnet test --filter Category=Throughput --logger "console;verbosity=detailed"</c>.</summary>
[Trait("Category", "Throughput")]
public sealed class IngestionThroughputTests(ITestOutputHelper output)
{
    private const int EventsPerBatch = 1000;
    private const int Connections = 8;
    private const int WarmUpBatches = 10;

    private static int Batches =>
        int.TryParse(Environment.GetEnvironmentVariable("DEVINSIGHTS_THROUGHPUT_BATCHES"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 10;

    [Theory]
    [InlineData("Full")]
    [InlineData("Normal")]
    public async Task Http_batches_of_1000_events_on_sqlite(string synchronous)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        using var app = await WebAppProcess.StartAsync(database, new Dictionary<string, string> { ["DevInsights:Database:SqliteSynchronous"] = synchronous });
        var (_, key) = await WebAppProcess.CreateUserAsync(database);
        using var client = app.CreateClient(key);
        var bodies = Enumerable.Range(0, Batches).Select(b => Encoding.UTF8.GetBytes(BatchJson(b))).ToList();
        // Warm-up outside the measurement: the first requests pay for JIT and tiered recompilation.
        var warmUp = Enumerable.Range(0, WarmUpBatches).Select(b => Encoding.UTF8.GetBytes(BatchJson(-1 - b))).ToList();
        await PostAllAsync(client, warmUp);
        await PostAllAsync(client, warmUp);

        var cpu = app.CpuTime;
        var (fresh, freshRate) = await PostAllAsync(client, bodies);
        var freshCpu = (app.CpuTime - cpu).TotalMilliseconds / Batches;
        cpu = app.CpuTime;
        var (dupes, dupeRate) = await PostAllAsync(client, bodies);
        var dupeCpu = (app.CpuTime - cpu).TotalMilliseconds / Batches;

        output.WriteLine($"HTTP, SQLite synchronous={synchronous}, {Batches} x {EventsPerBatch}-event batches, {Connections} connections, ~{bodies[0].Length / EventsPerBatch} B/event:");
        output.WriteLine($"  fresh events:     {freshRate,10:N0} events/s wall, server {freshCpu:F1} ms CPU per batch ({EventsPerBatch * 1000 / freshCpu:N0} events per CPU-second)");
        output.WriteLine($"  duplicate events: {dupeRate,10:N0} events/s wall, server {dupeCpu:F1} ms CPU per batch ({EventsPerBatch * 1000 / dupeCpu:N0} events per CPU-second)");
        Assert.Equal((Batches * EventsPerBatch, 0), (fresh.Accepted, fresh.Duplicates));
        Assert.Equal((0, Batches * EventsPerBatch), (dupes.Accepted, dupes.Duplicates));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Full")]
    [InlineData(DatabaseProvider.Sqlite, "Normal")]
    [InlineData(DatabaseProvider.Postgres, "Full")]
    public async Task Writer_alone_without_http(DatabaseProvider provider, string synchronous)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider,
            new Dictionary<string, string?> { ["DevInsights:Database:SqliteSynchronous"] = synchronous });
        var queue = app.Services.GetRequiredService<IngestionQueue>();
        var projectId = await app.Services.GetRequiredService<UnassignedProject>().GetIdAsync();
        var batches = Enumerable.Range(0, Batches).Select(b => ToBatch(BatchJson(b), projectId)).ToList();
        foreach (var warmUp in Enumerable.Range(0, WarmUpBatches).Select(b => ToBatch(BatchJson(-1 - b), projectId)))
        {
            await queue.SubmitAsync(warmUp);
            await queue.SubmitAsync(warmUp);
        }

        async Task<(IngestResult Total, double Rate)> SubmitAllAsync()
        {
            var watch = Stopwatch.StartNew();
            var results = new IngestResult[batches.Count];
            await Parallel.ForAsync(0, batches.Count, new ParallelOptions { MaxDegreeOfParallelism = Connections },
                async (i, ct) => results[i] = await queue.SubmitAsync(batches[i], ct));
            return (new IngestResult(results.Sum(r => r.Inserted), results.Sum(r => r.Duplicates)), batches.Count * EventsPerBatch / watch.Elapsed.TotalSeconds);
        }

        // The physical limit first, on the still small table, so the ratio is not flattered by a grown index.
        double? raw = provider == DatabaseProvider.Sqlite
            ? await RawInsertRateAsync(app.Services.GetRequiredService<DatabaseConnections>(), batches, projectId)
            : null;
        var (fresh, freshRate) = await SubmitAllAsync();
        var (dupes, dupeRate) = await SubmitAllAsync();
        output.WriteLine($"Writer only, {provider}{(raw is null ? "" : $" synchronous={synchronous}")}, {Batches} x {EventsPerBatch}-event batches: fresh {freshRate:N0} events/s, duplicates {dupeRate:N0} events/s");
        if (raw is { } limit)
            output.WriteLine($"  raw prepared INSERT of the same rows (1,000 per transaction), same run: {limit:N0} rows/s; the writer reaches {freshRate / limit:P0} of it");
        Assert.Equal(new IngestResult(Batches * EventsPerBatch, 0), fresh);
        Assert.Equal(new IngestResult(0, Batches * EventsPerBatch), dupes);
    }

    /// <summary>The physical limit the writer is measured against: one prepared INSERT re-bound per row, one
    /// transaction per batch, no idempotency check and no aggregates (PERFORMANCE.md's reference program).</summary>
    private static async Task<double> RawInsertRateAsync(DatabaseConnections connections, List<IngestBatch> batches, long projectId)
    {
        await using var connection = await connections.OpenAsync();
        await using var session = connection.CreateCommand();
        session.CommandText = "INSERT INTO sessions (client_session_id, project_id, client, started_at, last_event_at, duration_ms, message_count, event_count, "
            + "input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, lines_added, lines_removed, created_at, updated_at) "
            + $"VALUES ('raw-{Guid.NewGuid():N}', {projectId}, 'other', '2026-03-14', '2026-03-14', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '2026-03-14', '2026-03-14') RETURNING id";
        var sessionId = (long)(await session.ExecuteScalarAsync())!;
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO events (session_id, project_id, timestamp, type, tool_name, model, input_tokens, output_tokens, cache_read_tokens, "
            + "cache_creation_tokens, cost_usd, duration_ms, success, attributes_json, source, client_event_id, received_at) "
            + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16)";
        for (var i = 0; i < 17; i++)
        {
            var p = insert.CreateParameter();
            p.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            insert.Parameters.Add(p);
        }
        insert.Prepare();
        var watch = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            await using var tx = await connection.BeginTransactionAsync();
            insert.Transaction = tx;
            foreach (var e in batch.Events)
            {
                object?[] values = [sessionId, projectId, e.Timestamp, e.Type, e.ToolName, e.Model, e.InputTokens, e.OutputTokens, e.CacheReadTokens,
                    e.CacheCreationTokens, e.CostUsd, e.DurationMs, e.Success, e.AttributesJson, "raw", e.ClientEventId, DateTime.UtcNow];
                for (var i = 0; i < values.Length; i++) insert.Parameters[i].Value = values[i] ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
            await tx.CommitAsync();
        }
        return batches.Count * EventsPerBatch / watch.Elapsed.TotalSeconds;
    }

    private static async Task<(BatchResult Total, double Rate)> PostAllAsync(HttpClient client, List<byte[]> bodies)
    {
        var results = new BatchResult[bodies.Count];
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, bodies.Count, new ParallelOptions { MaxDegreeOfParallelism = Connections }, async (i, ct) =>
        {
            var content = new ByteArrayContent(bodies[i]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            results[i] = await (await client.PostAsync(EventsPath, content, ct)).ReadAcceptedAsync();
        });
        var rate = bodies.Count * EventsPerBatch / watch.Elapsed.TotalSeconds;
        return (new BatchResult(results.Sum(r => r.Accepted), results.Sum(r => r.Duplicates), []), rate);
    }

    /// <summary>A collector's batch: one session, api requests and tool results with ~300 bytes of metadata each.</summary>
    private static string BatchJson(int batch)
    {
        var sid = $"tp-{batch}-{Guid.NewGuid():N}";
        var start = new DateTime(2026, 3, 14, 9, 0, 0, DateTimeKind.Utc);
        var events = Enumerable.Range(0, EventsPerBatch).Select(i => new Dictionary<string, object?>
        {
            ["sessionId"] = sid,
            ["eventId"] = $"{batch}-{i}",
            ["timestamp"] = start.AddMilliseconds(250 * i).ToString("O", CultureInfo.InvariantCulture),
            ["type"] = i % 2 == 0 ? "api_request" : "tool_result",
            ["model"] = "claude-sonnet-4-5",
            ["toolName"] = i % 2 == 0 ? null : "Bash",
            ["success"] = i % 2 == 0 ? null : i % 7 != 0,
            ["inputTokens"] = 1200 + i,
            ["outputTokens"] = 300,
            ["cacheReadTokens"] = 15000,
            ["cacheCreationTokens"] = 400,
            ["costUsd"] = 0.0125,
            ["durationMs"] = 950,
            ["attributes"] = new Dictionary<string, object?>
            {
                ["event.sequence"] = i,
                ["prompt.id"] = $"0f9c7d2e-4b1a-4e55-9a1e-{i:D12}",
                ["request_id"] = $"req_011CV{i:D20}",
                ["query_source"] = "repl_main_thread",
                ["terminal.type"] = "xterm-256color",
                ["app.version"] = "2.1.328",
                ["user.id"] = "6f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
                ["ttft_ms"] = 412,
            },
        });
        return JsonSerializer.Serialize(events);
    }

    private static IngestBatch ToBatch(string json, long projectId)
    {
        using var doc = JsonDocument.Parse(json);
        var events = doc.RootElement.EnumerateArray().Select(e => new IngestEvent
        {
            ClientSessionId = e.GetProperty("sessionId").GetString()!,
            ClientEventId = e.GetProperty("eventId").GetString(),
            Timestamp = e.GetProperty("timestamp").GetDateTimeOffset().UtcDateTime,
            Type = e.GetProperty("type").GetString()!,
            Model = e.GetProperty("model").GetString(),
            ToolName = e.GetProperty("toolName").GetString(),
            Success = e.GetProperty("success").ValueKind == JsonValueKind.Null ? null : e.GetProperty("success").GetBoolean(),
            InputTokens = e.GetProperty("inputTokens").GetInt64(),
            OutputTokens = e.GetProperty("outputTokens").GetInt64(),
            CacheReadTokens = e.GetProperty("cacheReadTokens").GetInt64(),
            CacheCreationTokens = e.GetProperty("cacheCreationTokens").GetInt64(),
            CostUsd = e.GetProperty("costUsd").GetDouble(),
            DurationMs = e.GetProperty("durationMs").GetInt64(),
            AttributesJson = e.GetProperty("attributes").GetRawText(),
        }).ToList();
        var sid = events[0].ClientSessionId;
        return new IngestBatch("api", events, new Dictionary<string, SessionContext> { [sid] = new("claude-code", null, projectId, null, null) });
    }
}
