using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DevInsights.Bench;

/// <summary>The server (<see cref="BenchContext.WebDll"/>) as a child process on a loopback port over a data directory,
/// as an operator starts it: the repository root as content root (its appsettings.json applies), Production, with the
/// OTLP/gRPC listener on a free port of its own (a real start-up, and two servers never clash on 4317).</summary>
/// <remarks>Every part's traffic comes from one key standing for a whole team, so the per-key request rate limit is
/// lifted; <see cref="BenchContext.SqliteSynchronous"/>, when given, applies to the server too.</remarks>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly Process _process;

    private ServerProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public int Pid => _process.Id;

    /// <summary>From launching the process to its first 200 from /health.</summary>
    public TimeSpan Startup { get; private set; }

    /// <summary>The server's peak resident set so far (VmHWM), in MB.</summary>
    public double PeakRssMb => ReadStatusKb("VmHWM:") / 1024.0;

    /// <summary>CPU time the server has used so far (user and system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<ServerProcess> StartAsync(BenchContext context, string dataDirectory)
    {
        if (!File.Exists(context.WebDll))
            throw new FileNotFoundException($"The server is not built: {context.WebDll} (run ./bench.sh, which builds it).");
        var url = $"http://127.0.0.1:{FreePort()}";
        var settings = new Dictionary<string, string>
        {
            ["DevInsights:Otlp:GrpcPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["DevInsights:RateLimits:ApiRequestsPerMinutePerKey"] = "100000000",
        };
        if (context.SqliteSynchronous is { } synchronous) settings["DevInsights:Database:SqliteSynchronous"] = synchronous;
        var stopwatch = Stopwatch.StartNew();
        var process = Launch(context, dataDirectory, [context.WebDll, "--urls", url], settings);
        // Drain the server's output so that a full pipe never blocks it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, url);
        try
        {
            await server.WaitForHealthAsync(stopwatch, context.CancellationToken);
            server.Startup = stopwatch.Elapsed;
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>admin create-user</c> of the same build on <paramref name="dataDirectory"/> and returns the
    /// API key it prints.</summary>
    public static async Task<string> CreateUserAsync(BenchContext context, string dataDirectory, string email, string role)
    {
        using var process = Launch(context, dataDirectory, [context.WebDll, "admin", "create-user", email, "--role", role], new Dictionary<string, string>());
        var stdout = process.StandardOutput.ReadToEndAsync(context.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(context.CancellationToken);
        await process.WaitForExitAsync(context.CancellationToken);
        const string prefix = "API key: ";
        var key = (await stdout).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || key is null)
            throw new InvalidOperationException($"admin create-user exited with {process.ExitCode}: {await stderr}");
        return key[prefix.Length..];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
    }

    private static Process Launch(BenchContext context, string dataDirectory, IEnumerable<string> arguments, Dictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = context.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DevInsights__DataDirectory"] = dataDirectory;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
    }

    private async Task WaitForHealthAsync(Stopwatch stopwatch, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before answering /health.");
            if (stopwatch.Elapsed > Deadline)
                throw new TimeoutException($"The server did not answer /health within {Deadline.TotalSeconds} s.");
            try
            {
                using var response = await http.GetAsync(Url + "/health", ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // Not listening yet, or still too busy starting to answer within the client's timeout.
            }
            await Task.Delay(10, ct);
        }
    }

    private long ReadStatusKb(string field)
    {
        // "VmHWM:    123456 kB"
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"{field} not found in /proc/{_process.Id}/status.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
