using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DevInsights.Bench;

/// <summary>The real server as a child process (<c>dotnet DevInsights.Web.dll --urls http://127.0.0.1:port</c>) on a data
/// directory of the run's own, started from the repository root like <c>dotnet run</c>, so its appsettings.json applies.</summary>
public sealed class BenchServer : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly Process _process;

    private BenchServer(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>From launching the process to its first 200 from /health.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>CPU time the server has used so far (barely moved by the other tenants of a shared machine).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<BenchServer> StartAsync(BenchContext context, string dataDirectory, IDictionary<string, string>? settings = null)
    {
        if (!File.Exists(context.WebDll))
            throw new FileNotFoundException($"The server is not built: {context.WebDll} (run ./bench.sh, which builds it).");
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = Start(context, dataDirectory, settings, context.WebDll, "--urls", baseAddress.ToString().TrimEnd('/'));
        var stopwatch = Stopwatch.StartNew();
        var server = new BenchServer(Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet."), baseAddress);
        // Drain the server's output so that a full pipe never blocks it.
        server._process.OutputDataReceived += (_, _) => { };
        server._process.ErrorDataReceived += (_, _) => { };
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server.WaitForHealthAsync(context.CancellationToken);
            server.StartupTime = stopwatch.Elapsed;
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a user with <c>DevInsights.Web admin create-user</c> (which also creates and migrates the database)
    /// and returns the API key it prints.</summary>
    public static async Task<string> CreateUserAsync(BenchContext context, string dataDirectory, string email)
    {
        var start = Start(context, dataDirectory, null, context.WebDll, "admin", "create-user", email, "--role", "Developer");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync(context.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(context.CancellationToken);
        await process.WaitForExitAsync(context.CancellationToken);
        const string prefix = "API key: ";
        var key = (await stdout).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return process.ExitCode == 0 && key is not null
            ? key[prefix.Length..]
            : throw new InvalidOperationException($"admin create-user failed ({process.ExitCode}): {await stderr}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
    }

    private static ProcessStartInfo Start(BenchContext context, string dataDirectory, IDictionary<string, string>? settings, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = context.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DevInsights__DataDirectory"] = dataDirectory;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The OTLP/gRPC listener starts too (a server's real start-up), on a free port rather than 4317.
        start.Environment["DevInsights__Otlp__GrpcPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return start;
    }

    private async Task WaitForHealthAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before answering /health.");
            if (stopwatch.Elapsed > Deadline) throw new TimeoutException($"The server did not answer /health within {Deadline.TotalSeconds} s.");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "/health"), ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // Not listening yet, or still too busy starting to answer within the client's timeout.
            }
            await Task.Delay(10, ct);
        }
    }
}
