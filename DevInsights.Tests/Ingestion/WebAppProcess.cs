using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DevInsights.Tests.Ingestion;

/// <summary>The real app as a separate process (<c>dotnet DevInsights.Web.dll</c>) on a loopback port, over a
/// <see cref="TestDatabase"/>: for what an in-process host cannot show (a SIGKILL, real Kestrel throughput).</summary>
public sealed class WebAppProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private WebAppProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    /// <summary>CPU time the server has used so far: unlike wall time, barely moved by other tenants of the machine.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The last lines the process printed, for failure messages.</summary>
    public string Output
    {
        get { lock (_output) return string.Join('\n', _output); }
    }

    public static async Task<WebAppProcess> StartAsync(TestDatabase database, IDictionary<string, string>? settings = null)
    {
        var app = Path.Combine(AppContext.BaseDirectory, "DevInsights.Web.dll");
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(app);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Processes run side by side: none listens for OTLP/gRPC unless its test asks for a port.
        start.Environment["DevInsights__Otlp__GrpcPort"] = "0";
        foreach (var (key, value) in database.Settings()) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? "";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        var web = new WebAppProcess(Process.Start(start)!, baseAddress);
        try
        {
            await web.WaitUntilServingAsync();
            return web;
        }
        catch
        {
            web.Dispose();
            throw;
        }
    }

    /// <summary>A user with an API key, written straight into the database the process uses.</summary>
    public static async Task<(string UserId, string Key)> CreateUserAsync(TestDatabase database)
    {
        await using var db = OpenDatabase(database);
        var email = $"crash-{Guid.NewGuid():N}@example.test";
        var user = new AppUser
        {
            UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(),
            SecurityStamp = Guid.NewGuid().ToString("N"), CreatedAt = DateTime.UtcNow,
        };
        var secret = ApiKeyService.KeyPrefix + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        db.Users.Add(user);
        db.ApiKeys.Add(new ApiKey { UserId = user.Id, Name = "crash test", Prefix = secret[..12], Hash = ApiKeyService.Hash(secret), CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return (user.Id, secret);
    }

    /// <summary>A context on the database the process uses, configured as the app configures its own.</summary>
    public static DevInsightsDbContext OpenDatabase(TestDatabase database)
    {
        var connections = new DatabaseConnections(
            Options.Create(new DevInsightsOptions { DataDirectory = database.DataDirectory, Database = { Provider = database.Provider } }),
            new ConfigurationBuilder().AddInMemoryCollection(database.Settings()).Build());
        var builder = new DbContextOptionsBuilder<DevInsightsDbContext>();
        connections.Configure(builder);
        return new DevInsightsDbContext(builder.Options);
    }

    public HttpClient CreateClient(string key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private async Task WaitUntilServingAsync()
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The app exited with {_process.ExitCode}:\n{Output}");
            try
            {
                // Unauthenticated, so it stores nothing; any answer means the server is up and migrated.
                using var response = await probe.PostAsync(IngestionTestKit.EventsPath, null);
                if (response.StatusCode == HttpStatusCode.Unauthorized) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The app did not start within {StartTimeout}:\n{Output}");
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 200) _output.Dequeue();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
