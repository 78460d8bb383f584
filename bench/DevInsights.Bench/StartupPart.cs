using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DevInsights.Bench;

/// <summary><c>startup_ms</c>: from launching the server as a child process to its first 200 from /health
/// (median of the runs, on a database that is already migrated); <c>startup_fresh_db_ms</c>: the first start,
/// which also creates and migrates the database.</summary>
public sealed class StartupPart : IBenchPart
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public string Name => "startup";

    public async Task RunAsync(BenchContext context, TextWriter output)
    {
        if (!File.Exists(context.WebDll))
            throw new FileNotFoundException($"The server is not built: {context.WebDll} (run ./bench.sh, which builds it).");
        var dataDirectory = context.CreateScratchDirectory("startup");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };

        var fresh = await MeasureOnceAsync(context, http, dataDirectory);
        BenchContext.Progress(string.Create(CultureInfo.InvariantCulture, $"start-up on a fresh database: {fresh:F0} ms"));
        var runs = new List<double>();
        for (var run = 1; run <= Math.Max(3, context.Runs); run++)
        {
            runs.Add(await MeasureOnceAsync(context, http, dataDirectory));
            BenchContext.Progress(string.Create(CultureInfo.InvariantCulture, $"start-up run {run}: {runs[^1]:F0} ms"));
        }
        context.Report(output, "startup_fresh_db_ms", fresh);
        BenchContext.Report(output, "startup_ms_runs", string.Join(',', runs.Select(r => r.ToString("F0", CultureInfo.InvariantCulture))));
        context.Report(output, "startup_ms", BenchContext.Median(runs));
    }

    private static async Task<double> MeasureOnceAsync(BenchContext context, HttpClient http, string dataDirectory)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        // The repository root is the content root, as with "dotnet run": its appsettings.json applies.
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = context.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(context.WebDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        start.Environment["DevInsights__DataDirectory"] = dataDirectory;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The OTLP/gRPC listener starts too (a server's real start-up), on a free port rather than 4317.
        start.Environment["DevInsights__Otlp__GrpcPort"] = FreePort().ToString(CultureInfo.InvariantCulture);

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        // Drain the server's output so that a full pipe never blocks it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"The server exited with code {process.ExitCode} before answering /health.");
                if (stopwatch.Elapsed > Deadline)
                    throw new TimeoutException($"The server did not answer /health within {Deadline.TotalSeconds} s.");
                try
                {
                    using var response = await http.GetAsync(url + "/health", context.CancellationToken);
                    if (response.StatusCode == HttpStatusCode.OK) return stopwatch.Elapsed.TotalMilliseconds;
                }
                catch (Exception ex) when (ex is HttpRequestException
                    || (ex is TaskCanceledException && !context.CancellationToken.IsCancellationRequested))
                {
                    // Not listening yet, or still too busy starting to answer within the client's timeout.
                }
                await Task.Delay(10, context.CancellationToken);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
