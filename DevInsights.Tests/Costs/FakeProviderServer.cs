using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DevInsights.Tests.Costs;

/// <summary>A provider's organisation API on a real Kestrel bound to 127.0.0.1: each route answers from a handler the test
/// sets; every request is recorded (path, query, headers) so tests can check resumption and authentication.</summary>
public sealed class FakeProviderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpRequest, int, IResult>> _routes = new(StringComparer.Ordinal);

    public sealed record Recorded(string Path, string Query, IReadOnlyDictionary<string, string> Headers, int Status, DateTimeOffset At);

    public ConcurrentQueue<Recorded> Requests { get; } = new();

    public string BaseUrl { get; private set; } = "";

    private FakeProviderServer(WebApplication app) => _app = app;

    public static async Task<FakeProviderServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeProviderServer(app);
        var calls = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        app.Run(async http =>
        {
            var path = http.Request.Path.Value ?? "";
            var call = calls.AddOrUpdate(path, 1, (_, n) => n + 1);
            var result = server._routes.TryGetValue(path, out var handler) ? handler(http.Request, call) : Results.NotFound();
            await result.ExecuteAsync(http);
            server.Requests.Enqueue(new Recorded(path, http.Request.QueryString.Value ?? "",
                http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), http.Response.StatusCode, DateTimeOffset.UtcNow));
        });
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return server;
    }

    /// <summary>Answers <paramref name="path"/> with <paramref name="handler"/>(request, n-th call of that path, from 1).</summary>
    public void Map(string path, Func<HttpRequest, int, IResult> handler) => _routes[path] = handler;

    public IReadOnlyList<Recorded> RequestsTo(string path) => Requests.Where(r => r.Path == path).ToList();

    /// <summary>A 429 with a Retry-After of <paramref name="seconds"/>.</summary>
    public static IResult TooManyRequests(int seconds) => new RetryAfterResult(seconds);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class RetryAfterResult(int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(new { error = new { message = "Rate limit exceeded", type = "rate_limit_error" } }, statusCode: 429).ExecuteAsync(http);
        }
    }
}
