using System.Globalization;

namespace DevInsights.Bench;

/// <summary>HTTP ingestion end to end: <c>POST /api/v1/events</c> against the Release server on a fresh SQLite data
/// directory, with a key made by the server's own <c>admin create-user</c>.</summary>
/// <remarks>
/// Each run posts <see cref="BenchContext.IngestBatches"/> fresh 1,000-event batches (<see cref="IngestBatches"/>) at 1,
/// 4 and 16 connections, then re-posts the 16-connection batches (all already stored: the idempotency path); runs
/// alternate the levels so that a change of machine load hits them alike, and each figure is the median over runs.
/// <list type="bullet">
/// <item><c>ingest_events_per_s_c{n}</c>: events committed per wall second at n connections (a closed loop), and
/// <c>ingest_events_per_s</c> the best of them; <c>ingest_ratio</c> = that / <c>raw_sqlite_rows_per_s</c> of this run
/// (target ≥ 0.7).</item>
/// <item><c>ingest_p99_ms_c16</c>: request latency at 16 connections, over every run (queueing at saturation).</item>
/// <item><c>ingest_cpu_ms_per_batch</c>: the server's CPU time per fresh batch — less moved by other tenants than
/// wall-time figures, so it is the one to compare builds by.</item>
/// <item><c>ingest_duplicates_events_per_s</c>, <c>ingest_rss_mb_peak</c> (VmHWM of the server process).</item>
/// <item><c>api_read_p95_ms_under_ingest</c>: <c>GET /api/v1/sessions?pageSize=25</c> and
/// <c>GET /api/v1/sessions/{id}/events?limit=50</c> in turn, while fresh batches arrive at half the best rate
/// (target &lt; 20 ms); <c>api_read_p95_ms_idle</c>, the same reads without ingestion, for comparison.</item>
/// </list>
/// </remarks>
public sealed class IngestPart : IBenchPart
{
    private static readonly int[] Concurrencies = [1, 4, 16];
    private const int WarmUpBatches = 20;
    private static readonly TimeSpan ReadPause = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LoadedReadTime = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan IdleReadTime = TimeSpan.FromSeconds(4);

    public string Name => "ingest";

    public async Task RunAsync(BenchContext context, TextWriter output)
    {
        var ct = context.CancellationToken;
        var dataDirectory = context.CreateScratchDirectory("ingest");
        var key = await ServerProcess.CreateUserAsync(context, dataDirectory, "bench@example.test", "Developer");
        await using var server = await ServerProcess.StartAsync(context, dataDirectory);
        BenchContext.Progress($"ingest: server pid {server.Pid} (e.g. for dotnet-trace)");
        var batches = new IngestBatches(Guid.NewGuid().ToString("N")[..8]);
        var clients = Concurrencies.ToDictionary(c => c, c => IngestLoad.Client(server.Url, key, c));
        try
        {
            BenchContext.Progress($"ingest: warm-up, {WarmUpBatches} batches");
            await IngestLoad.PostAllAsync(clients[4], batches.Next(WarmUpBatches), 4, ct);

            var rates = Concurrencies.ToDictionary(c => c, _ => new List<double>());
            var duplicateRates = new List<double>();
            var latenciesC16 = new List<double>();
            var cpu = TimeSpan.Zero;
            var freshBatches = 0;
            for (var run = 1; run <= context.Runs; run++)
            {
                List<byte[]> last = [];
                foreach (var c in Concurrencies)
                {
                    last = batches.Next(context.IngestBatches);
                    var cpuBefore = server.CpuTime;
                    var result = await IngestLoad.PostAllAsync(clients[c], last, c, ct);
                    cpu += server.CpuTime - cpuBefore;
                    freshBatches += last.Count;
                    Expect(result, accepted: last.Count * IngestBatches.EventsPerBatch, duplicates: 0);
                    rates[c].Add(result.EventsPerSecond);
                    if (c == 16) latenciesC16.AddRange(result.LatenciesMs);
                    BenchContext.Progress(string.Create(CultureInfo.InvariantCulture,
                        $"ingest run {run}/{context.Runs}, {c} connection(s): {result.EventsPerSecond:F0} events/s, p50 {IngestLoad.Percentile(result.LatenciesMs, 0.5):F0} ms"));
                }
                var duplicates = await IngestLoad.PostAllAsync(clients[16], last, 16, ct);
                Expect(duplicates, accepted: 0, duplicates: last.Count * IngestBatches.EventsPerBatch);
                duplicateRates.Add(duplicates.EventsPerSecond);
                BenchContext.Progress(string.Create(CultureInfo.InvariantCulture,
                    $"ingest run {run}/{context.Runs}, duplicates: {duplicates.EventsPerSecond:F0} events/s"));
            }

            foreach (var c in Concurrencies)
            {
                BenchContext.Report(output, $"ingest_events_per_s_c{c}_runs", string.Join(',', rates[c].Select(r => r.ToString("F0", CultureInfo.InvariantCulture))));
                context.Report(output, $"ingest_events_per_s_c{c}", BenchContext.Median(rates[c]));
            }
            var best = Concurrencies.Max(c => BenchContext.Median(rates[c]));
            context.Report(output, "ingest_events_per_s", best);
            if (context.Results.TryGetValue("raw_sqlite_rows_per_s", out var raw))
                context.Report(output, "ingest_ratio", best / raw, decimals: 2);
            context.Report(output, "ingest_p99_ms_c16", IngestLoad.Percentile(latenciesC16, 0.99));
            context.Report(output, "ingest_cpu_ms_per_batch", cpu.TotalMilliseconds / freshBatches, decimals: 1);
            context.Report(output, "ingest_duplicates_events_per_s", BenchContext.Median(duplicateRates));

            await MeasureReadsAsync(context, output, server, key, batches, best);
            context.Report(output, "ingest_rss_mb_peak", server.PeakRssMb);
        }
        finally
        {
            foreach (var client in clients.Values) client.Dispose();
        }
    }

    private static async Task MeasureReadsAsync(BenchContext context, TextWriter output, ServerProcess server, string key,
        IngestBatches batches, double bestRate)
    {
        using var reader = IngestLoad.Client(server.Url, key, 1);
        using var writer = IngestLoad.Client(server.Url, key, 16);
        var paths = Enumerable.Range(0, IngestBatches.SessionCount)
            .SelectMany(s => new[] { "/api/v1/sessions?pageSize=25", $"/api/v1/sessions/{batches.SessionId(s)}/events?limit=50" })
            .ToList();

        BenchContext.Progress("reads without ingestion");
        using (var idle = new CancellationTokenSource(IdleReadTime))
        {
            await IngestLoad.ReadAsync(reader, paths, ReadPause, idle.Token); // warm-up
        }
        using (var idle = new CancellationTokenSource(IdleReadTime))
        {
            var latencies = await IngestLoad.ReadAsync(reader, paths, ReadPause, idle.Token);
            context.Report(output, "api_read_p95_ms_idle", IngestLoad.Percentile(latencies, 0.95), decimals: 1);
        }

        var target = bestRate / 2;
        BenchContext.Progress(string.Create(CultureInfo.InvariantCulture, $"reads while ingesting {target:F0} events/s"));
        using var stopWriting = new CancellationTokenSource(LoadedReadTime + TimeSpan.FromSeconds(1));
        var writing = IngestLoad.PostPacedAsync(writer, batches, target, stopWriting.Token);
        await Task.Delay(TimeSpan.FromSeconds(1), context.CancellationToken);
        using var stopReading = new CancellationTokenSource(LoadedReadTime);
        var loaded = await IngestLoad.ReadAsync(reader, paths, ReadPause, stopReading.Token);
        var written = await writing;
        context.Report(output, "api_read_under_ingest_events_per_s", written.EventsPerSecond);
        BenchContext.Report(output, "api_read_under_ingest_reads", loaded.Count.ToString(CultureInfo.InvariantCulture));
        context.Report(output, "api_read_p50_ms_under_ingest", IngestLoad.Percentile(loaded, 0.5), decimals: 1);
        context.Report(output, "api_read_p95_ms_under_ingest", IngestLoad.Percentile(loaded, 0.95), decimals: 1);
    }

    private static void Expect(LoadResult result, long accepted, long duplicates)
    {
        if (result.Accepted != accepted || result.Duplicates != duplicates)
            throw new InvalidOperationException(
                $"The server reported {result.Accepted} accepted and {result.Duplicates} duplicate events; expected {accepted} and {duplicates}.");
    }
}
