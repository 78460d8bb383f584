using System.Net;
using DevInsights.Core.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Otlp;

/// <summary>
/// The OTLP/gRPC listener: a Kestrel server of its own on <c>DevInsights:Otlp:GrpcPort</c> (default 4317, 0 disables),
/// HTTP/2 cleartext only, serving nothing but <see cref="OtlpGrpcHandler"/>.
/// </summary>
/// <remarks>
/// A separate server rather than a second endpoint of the app's Kestrel: listening on an explicit endpoint makes Kestrel
/// ignore <c>--urls</c>/<c>ASPNETCORE_URLS</c>/<c>HTTP_PORTS</c>, and the test host has no Kestrel at all. This way
/// the app's own addresses stay exactly as configured, the UI, API and middleware never answer on the gRPC port, and
/// gRPC works beside the in-memory test server too. The port is read when the host starts (so test overrides apply).
/// It listens on loopback when every address the app is configured to listen on is a loopback one (Kestrel's default,
/// http://localhost:5000, included), otherwise on all interfaces (e.g. the Docker image's <c>http://+:8080</c>).
/// </remarks>
public sealed class OtlpGrpcServer(
    IServiceProvider services, IOptions<DevInsightsOptions> options, IConfiguration configuration, ILoggerFactory loggerFactory)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _server;

    /// <summary>Where the server listens once started (empty when disabled).</summary>
    public IReadOnlyList<string> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Value.Otlp.GrpcPort;
        if (port == 0) return;
        var loopbackOnly = AppListensOnLoopbackOnly(configuration);
        var handler = ActivatorUtilities.CreateInstance<OtlpGrpcHandler>(services);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Framing overhead on top of the message limit; RequestBody enforces the exact one.
            k.Limits.MaxRequestBodySize = options.Value.Otlp.MaxBodyBytes + 1024;
            if (loopbackOnly) k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http2);
            else k.ListenAnyIP(port, l => l.Protocols = HttpProtocols.Http2);
        });
        var server = builder.Build();
        server.Run(handler.HandleAsync);
        await server.StartAsync(cancellationToken);
        _server = server;
        Addresses = [.. server.Urls];
        loggerFactory.CreateLogger<OtlpGrpcServer>().LogInformation("OTLP/gRPC listening on {Addresses}", string.Join(", ", Addresses));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _server = null;
    }

    /// <summary>True when the app's configured addresses (urls, Kestrel:Endpoints) are all loopback; HTTP_PORTS and
    /// HTTPS_PORTS bind every interface.</summary>
    internal static bool AppListensOnLoopbackOnly(IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration["http_ports"]) || !string.IsNullOrWhiteSpace(configuration["https_ports"])) return false;
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>())
            .ToList();
        return urls.All(IsLoopback);
    }

    private static bool IsLoopback(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return false;
        }

        return address.IsNamedPipe || address.IsUnixPipe
            || string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
