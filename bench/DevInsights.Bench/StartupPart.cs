using System.Globalization;

namespace DevInsights.Bench;

/// <summary><c>startup_ms</c>: from launching the server as a child process to its first 200 from /health
/// (median of the runs, on a database that is already migrated); <c>startup_fresh_db_ms</c>: the first start,
/// which also creates and migrates the database.</summary>
public sealed class StartupPart : IBenchPart
{
    public string Name => "startup";

    public async Task RunAsync(BenchContext context, TextWriter output)
    {
        var dataDirectory = context.CreateScratchDirectory("startup");
        var fresh = await MeasureOnceAsync(context, dataDirectory);
        BenchContext.Progress(string.Create(CultureInfo.InvariantCulture, $"start-up on a fresh database: {fresh:F0} ms"));
        var runs = new List<double>();
        for (var run = 1; run <= Math.Max(3, context.Runs); run++)
        {
            runs.Add(await MeasureOnceAsync(context, dataDirectory));
            BenchContext.Progress(string.Create(CultureInfo.InvariantCulture, $"start-up run {run}: {runs[^1]:F0} ms"));
        }
        context.Report(output, "startup_fresh_db_ms", fresh);
        BenchContext.Report(output, "startup_ms_runs", string.Join(',', runs.Select(r => r.ToString("F0", CultureInfo.InvariantCulture))));
        context.Report(output, "startup_ms", BenchContext.Median(runs));
    }

    private static async Task<double> MeasureOnceAsync(BenchContext context, string dataDirectory)
    {
        await using var server = await ServerProcess.StartAsync(context, dataDirectory);
        return server.Startup.TotalMilliseconds;
    }
}
