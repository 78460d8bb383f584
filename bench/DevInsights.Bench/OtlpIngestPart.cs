using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DevInsights.Core.Otlp;
using OpenTelemetry.Proto.Collector.Logs.V1;

namespace DevInsights.Bench;

/// <summary>
/// <c>otlp_json_log_records_per_s</c> and <c>otlp_protobuf_log_records_per_s</c>: real Claude Code log exports (the
/// fixtures' bodies, byte for byte, except the session id) posted to <c>/v1/logs</c> of a running server on a fresh
/// SQLite database, by <see cref="Connections"/> concurrent clients; every 200 means committed. Each client plays
/// sessions: a fresh session id, then each body of the encoding once under it (as a session's exports arrive), so
/// events are new rows, never the duplicate path. <c>otlp_log_records_per_s</c> is the lower of the two encodings;
/// latencies are per request, under that saturating load.
/// </summary>
public sealed class OtlpIngestPart : IBenchPart
{
    public const int Connections = 16;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    public string Name => "otlp";

    public async Task RunAsync(BenchContext context, TextWriter output)
    {
        var fixtures = Path.Combine(context.RepositoryRoot, "DevInsights.Tests", "Fixtures", "shared", "claude-code-2.1.328");
        var rates = new Dictionary<OtlpEncoding, double>();
        foreach (var encoding in new[] { OtlpEncoding.Json, OtlpEncoding.Protobuf })
        {
            var bodies = LoadBodies(fixtures, encoding);
            var name = encoding == OtlpEncoding.Json ? "json" : "protobuf";
            BenchContext.Progress($"otlp {name}: {bodies.Count} bodies, {bodies.Sum(b => b.Records)} records per session");
            var result = await MeasureAsync(context, bodies, name);
            rates[encoding] = result.RecordsPerSecond;
            BenchContext.Report(output, $"otlp_{name}_log_records_per_s_runs", string.Join(',', result.Runs.Select(r => r.ToString("F0", CultureInfo.InvariantCulture))));
            context.Report(output, $"otlp_{name}_log_records_per_s", result.RecordsPerSecond);
            context.Report(output, $"otlp_{name}_requests_per_s", result.RequestsPerSecond);
            context.Report(output, $"otlp_{name}_p50_ms", result.P50, 1);
            context.Report(output, $"otlp_{name}_p95_ms", result.P95, 1);
            context.Report(output, $"otlp_{name}_p99_ms", result.P99, 1);
            context.Report(output, $"otlp_{name}_server_cpu_us_per_record", result.ServerCpuMicrosPerRecord, 1);
        }

        context.Report(output, "otlp_log_records_per_s", rates.Values.Min());
        BenchContext.Report(output, "otlp_connections", Connections.ToString(CultureInfo.InvariantCulture));
        BenchContext.Report(output, "otlp_sqlite_synchronous", context.SqliteSynchronous ?? new Core.Configuration.DatabaseOptions().SqliteSynchronous);
    }

    private sealed record Body(byte[] Bytes, int[] SessionOffsets, int Records, string ContentType);

    private sealed record Result(IReadOnlyList<double> Runs, double RecordsPerSecond, double RequestsPerSecond, double P50, double P95, double P99,
        double ServerCpuMicrosPerRecord);

    /// <summary>The logs bodies of one encoding, with where the session id sits in each (the same 36 characters in both
    /// encodings, so a fresh id of the same length keeps every protobuf length prefix right).</summary>
    private static List<Body> LoadBodies(string fixtures, OtlpEncoding encoding)
    {
        var suffix = encoding == OtlpEncoding.Json ? "_logs.json" : "_logs.pb";
        var bodies = new List<Body>();
        foreach (var file in Directory.GetFiles(fixtures, "*" + suffix, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            var request = OtlpRequestReader.Read<ExportLogsServiceRequest>(bytes, encoding);
            var records = request.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords).ToList();
            var sessionId = records.SelectMany(r => r.Attributes).First(a => a.Key == "session.id").Value.StringValue;
            bodies.Add(new Body(bytes, Offsets(bytes, Encoding.ASCII.GetBytes(sessionId)), records.Count,
                encoding == OtlpEncoding.Json ? "application/json" : "application/x-protobuf"));
        }

        return bodies.Count > 0 ? bodies : throw new FileNotFoundException($"No Claude Code {suffix} fixtures under {fixtures}.");
    }

    private static int[] Offsets(byte[] body, byte[] value)
    {
        var offsets = new List<int>();
        for (var at = body.AsSpan().IndexOf(value); at >= 0;)
        {
            offsets.Add(at);
            var next = body.AsSpan(at + value.Length).IndexOf(value);
            at = next < 0 ? -1 : at + value.Length + next;
        }

        return [.. offsets];
    }

    private static async Task<Result> MeasureAsync(BenchContext context, List<Body> bodies, string name)
    {
        var dataDirectory = context.CreateScratchDirectory("otlp-" + name);
        var key = await ServerProcess.CreateUserAsync(context, dataDirectory, $"bench-{name}@example.test", "Developer");
        await using var server = await ServerProcess.StartAsync(context, dataDirectory);
        BenchContext.Progress($"otlp {name}: server pid {server.Pid} (e.g. for dotnet-trace)");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Connections }) { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("x-api-key", key);

        long records = 0, requests = 0;
        var latencies = new ConcurrentQueue<double>();
        var measuring = false;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var clients = Enumerable.Range(0, Connections).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var sessionId = Encoding.ASCII.GetBytes(Guid.NewGuid().ToString());
                foreach (var body in bodies)
                {
                    var bytes = (byte[])body.Bytes.Clone();
                    foreach (var offset in body.SessionOffsets) sessionId.CopyTo(bytes, offset);
                    using var content = new ByteArrayContent(bytes);
                    content.Headers.ContentType = MediaTypeHeaderValue.Parse(body.ContentType);
                    var started = Stopwatch.GetTimestamp();
                    using var response = await http.PostAsync("/v1/logs", content, CancellationToken.None);
                    if (response.StatusCode != HttpStatusCode.OK)
                        throw new InvalidOperationException($"POST /v1/logs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    if (Volatile.Read(ref measuring)) latencies.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Interlocked.Add(ref records, body.Records);
                    Interlocked.Increment(ref requests);
                }
            }
        })).ToList();

        try
        {
            await Task.Delay(WarmUp, context.CancellationToken);
            Volatile.Write(ref measuring, true);
            var runs = new List<double>();
            var requestRates = new List<double>();
            var (cpuStart, recordsStart) = (server.CpuTime, Interlocked.Read(ref records));
            for (var run = 1; run <= context.Runs; run++)
            {
                var (r0, q0, clock) = (Interlocked.Read(ref records), Interlocked.Read(ref requests), Stopwatch.StartNew());
                await Task.Delay(Window, context.CancellationToken);
                var seconds = clock.Elapsed.TotalSeconds;
                runs.Add((Interlocked.Read(ref records) - r0) / seconds);
                requestRates.Add((Interlocked.Read(ref requests) - q0) / seconds);
                BenchContext.Progress(string.Create(CultureInfo.InvariantCulture, $"otlp {name} run {run}/{context.Runs}: {runs[^1]:F0} records/s"));
                if (clients.FirstOrDefault(c => c.IsFaulted) is { } failed) await failed;
            }

            var cpu = (server.CpuTime - cpuStart).TotalMilliseconds * 1000 / Math.Max(1, Interlocked.Read(ref records) - recordsStart);
            var sorted = latencies.Order().ToArray();
            double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
            return new Result(runs, BenchContext.Median(runs), BenchContext.Median(requestRates), Percentile(0.50), Percentile(0.95), Percentile(0.99), cpu);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(clients);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException)
            {
                // The clients stop mid-request when the window closes.
            }
        }
    }
}
