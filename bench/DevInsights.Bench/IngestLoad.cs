using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace DevInsights.Bench;

/// <summary>Request bodies for <c>POST /api/v1/events</c> as a collector fleet sends them: 1,000 events per batch made
/// of runs of 250 consecutive events of one session, sessions taking turns among <see cref="SessionCount"/>, every
/// event with a fresh id and <see cref="SyntheticTelemetry"/>'s values and attributes.</summary>
public sealed class IngestBatches(string runTag)
{
    public const int EventsPerBatch = 1000;
    public const int SessionCount = 100;
    private const int EventsPerRun = 250;

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly DateTime _start = DateTime.UtcNow.AddDays(-1);
    private readonly int[] _sequences = new int[SessionCount];
    private int _nextSession;

    public string SessionId(int session) => $"bench-{runTag}-{session:D3}";

    public List<byte[]> Next(int batches) => Enumerable.Range(0, batches).Select(_ => Next()).ToList();

    public byte[] Next()
    {
        var buffer = new ArrayBufferWriter<byte>(700 * EventsPerBatch);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (var run = 0; run < EventsPerBatch / EventsPerRun; run++)
            {
                var session = _nextSession;
                _nextSession = (_nextSession + 1) % SessionCount;
                var sessionId = SessionId(session);
                for (var i = 0; i < EventsPerRun; i++) WriteEvent(json, session, sessionId, _sequences[session]++);
            }
            json.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static ByteArrayContent Content(byte[] body) => new(body) { Headers = { ContentType = Json } };

    private void WriteEvent(Utf8JsonWriter json, int session, string sessionId, int sequence)
    {
        var e = SyntheticTelemetry.For(session, sequence);
        json.WriteStartObject();
        json.WriteString("sessionId"u8, sessionId);
        json.WriteString("eventId"u8, Guid.NewGuid());
        json.WriteString("timestamp"u8, _start.AddMilliseconds(sequence * 250.0 + session));
        json.WriteString("type"u8, e.Type);
        json.WriteString("client"u8, "claude-code");
        if (e.Model is not null) json.WriteString("model"u8, e.Model);
        if (e.Tool is not null) json.WriteString("toolName"u8, e.Tool);
        if (e.Success is { } success) json.WriteBoolean("success"u8, success);
        if (e.InputTokens > 0)
        {
            json.WriteNumber("inputTokens"u8, e.InputTokens);
            json.WriteNumber("outputTokens"u8, e.OutputTokens);
            json.WriteNumber("cacheReadTokens"u8, e.CacheReadTokens);
            json.WriteNumber("cacheCreationTokens"u8, e.CacheCreationTokens);
        }
        if (e.CostUsd is { } cost) json.WriteNumber("costUsd"u8, cost);
        if (e.DurationMs is { } duration) json.WriteNumber("durationMs"u8, duration);
        json.WritePropertyName("attributes"u8);
        json.WriteRawValue(e.Attributes, skipInputValidation: true);
        json.WriteEndObject();
    }
}

/// <summary>What a set of posts did: events the server reported, wall time, and each request's latency.</summary>
public sealed record LoadResult(long Accepted, long Duplicates, int Requests, TimeSpan Elapsed, List<double> LatenciesMs)
{
    public double EventsPerSecond => (Accepted + Duplicates) / Elapsed.TotalSeconds;
}

/// <summary>Drives the events API over a fixed number of connections.</summary>
public static class IngestLoad
{
    /// <summary>A client holding at most <paramref name="connections"/> connections to the server.</summary>
    public static HttpClient Client(string url, string key, int connections)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        var client = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    /// <summary>Posts every body, <paramref name="concurrency"/> requests in flight at a time (a closed loop: each
    /// connection sends its next batch when the previous one is answered).</summary>
    public static async Task<LoadResult> PostAllAsync(HttpClient client, IReadOnlyList<byte[]> bodies, int concurrency, CancellationToken ct)
    {
        var latencies = new double[bodies.Count];
        long accepted = 0, duplicates = 0;
        var next = -1;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < bodies.Count; i = Interlocked.Increment(ref next))
            {
                var started = Stopwatch.GetTimestamp();
                var (a, d) = await PostAsync(client, bodies[i], ct);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Interlocked.Add(ref accepted, a);
                Interlocked.Add(ref duplicates, d);
            }
        }));
        return new LoadResult(accepted, duplicates, bodies.Count, stopwatch.Elapsed, [.. latencies]);
    }

    /// <summary>Posts fresh batches at a steady <paramref name="eventsPerSecond"/> (an open loop, at most 16 in flight)
    /// until <paramref name="stop"/> is cancelled.</summary>
    public static async Task<LoadResult> PostPacedAsync(HttpClient client, IngestBatches batches, double eventsPerSecond, CancellationToken stop)
    {
        var interval = TimeSpan.FromSeconds(IngestBatches.EventsPerBatch / eventsPerSecond);
        using var slots = new SemaphoreSlim(16);
        var inFlight = new List<Task<(long, long)>>();
        var stopwatch = Stopwatch.StartNew();
        for (var due = TimeSpan.Zero; !stop.IsCancellationRequested; due += interval)
        {
            var body = batches.Next();
            var wait = due - stopwatch.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait, stop); }
                catch (OperationCanceledException) { break; }
            }
            // A server slower than the pace makes the sender wait for a free slot rather than pile up requests.
            await slots.WaitAsync(CancellationToken.None);
            inFlight.Add(PostReleasingAsync(body));
        }
        var results = await Task.WhenAll(inFlight);
        return new LoadResult(results.Sum(r => r.Item1), results.Sum(r => r.Item2), results.Length, stopwatch.Elapsed, []);

        async Task<(long, long)> PostReleasingAsync(byte[] body)
        {
            try { return await PostAsync(client, body, CancellationToken.None); }
            finally { slots.Release(); }
        }
    }

    /// <summary>GETs <paramref name="paths"/> in turn, one at a time with <paramref name="pause"/> between them, until
    /// <paramref name="stop"/> is cancelled; returns each read's latency.</summary>
    public static async Task<List<double>> ReadAsync(HttpClient client, IReadOnlyList<string> paths, TimeSpan pause, CancellationToken stop)
    {
        var latencies = new List<double>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using (var response = await client.GetAsync(paths[i % paths.Count], CancellationToken.None))
            {
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                    throw new InvalidOperationException($"GET {paths[i % paths.Count]} answered {(int)response.StatusCode}.");
            }
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            try { await Task.Delay(pause, stop); }
            catch (OperationCanceledException) { break; }
        }
        return latencies;
    }

    /// <summary>The value at quantile <paramref name="q"/> (nearest rank).</summary>
    public static double Percentile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new InvalidOperationException("No samples.");
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static async Task<(long Accepted, long Duplicates)> PostAsync(HttpClient client, byte[] body, CancellationToken ct)
    {
        using var response = await client.PostAsync("/api/v1/events", IngestBatches.Content(body), ct);
        var answer = await response.Content.ReadAsByteArrayAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"POST /api/v1/events answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}"));
        using var json = JsonDocument.Parse(answer);
        return (json.RootElement.GetProperty("accepted").GetInt64(), json.RootElement.GetProperty("duplicates").GetInt64());
    }
}
