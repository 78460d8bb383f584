using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using DevInsights.Core.Configuration;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Resources;
using static DevInsights.Tests.Otlp.Integration.OtlpIntegrationKit;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary>One app per provider with its OTLP/gRPC listener on a free port (beside the in-memory test server).</summary>
public sealed class GrpcAppFixture : IAsyncLifetime
{
    private readonly Dictionary<DatabaseProvider, Task<(DevInsightsFactory App, int Port)>> _apps = [];
    private readonly Lock _gate = new();

    public Task<(DevInsightsFactory App, int Port)> GetAsync(DatabaseProvider provider)
    {
        lock (_gate)
        {
            if (!_apps.TryGetValue(provider, out var app)) _apps[provider] = app = StartAsync(provider);
            return app;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps.Values) await (await app).App.DisposeAsync();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(DevInsightsFactory, int)> StartAsync(DatabaseProvider provider)
    {
        var port = FreePort();
        return (await DevInsightsFactory.CreateAsync(provider, new Dictionary<string, string?> { ["DevInsights:Otlp:GrpcPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }), port);
    }
}

/// <summary>OTLP/gRPC, exercised by the real OpenTelemetry .NET SDK (its own gRPC client) and by hand-made frames.</summary>
public sealed class OtlpGrpcTests(GrpcAppFixture apps) : IClassFixture<GrpcAppFixture>
{
    private const string LogsMethod = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

    [Theory, BothProviders]
    public async Task The_OpenTelemetry_sdk_exports_logs_and_metrics_over_grpc(DatabaseProvider provider)
    {
        var (app, port) = await apps.GetAsync(provider);
        var (_, userId, key) = await app.CreateUserClientAsync();
        var sessionId = NewSessionId();

        await ExportWithSdkAsync(OtlpExportProtocol.Grpc, new Uri($"http://127.0.0.1:{port}"), key, sessionId, "grpc-host", null);

        await AssertSdkTelemetryStoredAsync(app, sessionId, userId, "grpc-host");
    }

    [Theory, BothProviders]
    public async Task The_OpenTelemetry_sdk_exports_over_http_protobuf(DatabaseProvider provider)
    {
        var (app, _) = await apps.GetAsync(provider);
        var (_, userId, key) = await app.CreateUserClientAsync();
        var sessionId = NewSessionId();

        // The in-memory server has no socket: the SDK's HTTP exporter is handed a client of the test server.
        await ExportWithSdkAsync(OtlpExportProtocol.HttpProtobuf, new Uri("http://localhost"), key, sessionId, "http-host",
            () => new HttpClient(new BlockingHandler(app.Server.CreateHandler())));

        await AssertSdkTelemetryStoredAsync(app, sessionId, userId, "http-host");
    }

    [Theory, BothProviders]
    public async Task A_hand_made_frame_is_answered_with_a_response_message_and_status_trailers(DatabaseProvider provider)
    {
        var (app, port) = await apps.GetAsync(provider);
        var (_, _, key) = await app.CreateUserClientAsync();
        var sessionId = NewSessionId();
        var message = ClaudeLogs(sessionId).ToByteArray();

        var ok = await CallAsync(port, LogsMethod, Frame(message), key);
        Assert.Equal(("0", null), (ok.Status, ok.Message));
        Assert.Equal("application/grpc", ok.ContentType);
        Assert.Equal(new ExportLogsServiceResponse(), ExportLogsServiceResponse.Parser.ParseFrom(Unframe(ok.Body)));
        Assert.Equal(ClaudeLogsFigures().Events, (int)(await app.FiguresAsync(sessionId)).Events);

        // gzip-compressed message (flag 1 + grpc-encoding); a retry of the same records adds nothing.
        var gzip = await CallAsync(port, LogsMethod, Frame(Gzip(message), compressed: true), key, encoding: "gzip");
        Assert.Equal("0", gzip.Status);
        Assert.Equal(ClaudeLogsFigures().Events, (int)(await app.FiguresAsync(sessionId)).Events);
    }

    [Theory, BothProviders]
    public async Task Failures_are_grpc_statuses(DatabaseProvider provider)
    {
        var (app, port) = await apps.GetAsync(provider);
        var (_, _, key) = await app.CreateUserClientAsync();
        var sessionId = NewSessionId();
        var message = ClaudeLogs(sessionId).ToByteArray();

        var wrongKey = await CallAsync(port, LogsMethod, Frame(message), "dvi_wrong");
        Assert.Equal(("16", "The API key is invalid or has been revoked."), (wrongKey.Status, wrongKey.Message));
        Assert.Empty(wrongKey.Body);
        Assert.Equal("16", (await CallAsync(port, LogsMethod, Frame(message), key: null)).Status);
        Assert.Equal("12", (await CallAsync(port, "/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export", Frame(message), key)).Status);
        var malformed = await CallAsync(port, LogsMethod, Frame(message[..(message.Length / 2)]), key);
        Assert.Equal("3", malformed.Status);
        Assert.Contains("Invalid OTLP/protobuf", malformed.Message);
        Assert.Equal("3", (await CallAsync(port, LogsMethod, message, key)).Status); // no length prefix
        Assert.Equal("12", (await CallAsync(port, LogsMethod, Frame(Gzip(message), compressed: true), key, encoding: "snappy")).Status);
        Assert.Null(await app.SessionAsync(sessionId));
    }

    [Theory, BothProviders]
    public async Task The_grpc_port_serves_only_grpc_and_the_app_port_no_grpc(DatabaseProvider provider)
    {
        var (app, port) = await apps.GetAsync(provider);
        using var h2c = Http2Client();
        using var health = await h2c.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/health")
            { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, health.StatusCode);

        var (client, _, _) = await app.CreateUserClientAsync();
        using var content = new ByteArrayContent(Frame(ClaudeLogs(NewSessionId()).ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var onAppPort = await client.PostAsync(LogsMethod, content);
        Assert.NotEqual(HttpStatusCode.OK, onAppPort.StatusCode);
    }

    internal static async Task ExportWithSdkAsync(OtlpExportProtocol protocol, Uri endpoint, string key, string sessionId, string host,
        Func<HttpClient>? httpClient)
    {
        var resource = ResourceBuilder.CreateEmpty().AddService("devinsights-sdk-test")
            .AddAttributes([new("host.name", host), new("devinsights.project", "https://github.com/acme/sdk-test")]);
        void Configure(OtlpExporterOptions o, string signal)
        {
            o.Protocol = protocol;
            // Set in code, the HTTP endpoint is used as given: the signal's path is ours to add.
            o.Endpoint = protocol == OtlpExportProtocol.Grpc ? endpoint : new Uri(endpoint, "/v1/" + signal);
            o.Headers = "x-api-key=" + key;
            if (httpClient is not null) o.HttpClientFactory = httpClient;
        }

        using (var loggers = LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
               {
                   o.SetResourceBuilder(resource);
                   o.AddOtlpExporter(e => Configure(e, "logs"));
               })))
        {
            var logger = loggers.CreateLogger("DevInsights.Tests.Sdk");
            for (var step = 1; step <= 3; step++) logger.LogInformation("Step {step} of {session.id}", step, sessionId);
        } // disposing flushes the exporter

        using var meter = new Meter("devinsights.tests.sdk." + Guid.NewGuid().ToString("N"));
        var requests = meter.CreateCounter<long>("sdk.requests", "{request}");
        using (var meters = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(meter.Name)
                   .AddOtlpExporter((e, _) => Configure(e, "metrics")).Build())
        {
            requests.Add(3, new KeyValuePair<string, object?>("session.id", sessionId));
            requests.Add(2, new KeyValuePair<string, object?>("session.id", sessionId));
            Assert.True(meters.ForceFlush(10_000));
        }
    }

    private static async Task AssertSdkTelemetryStoredAsync(DevInsightsFactory app, string sessionId, string userId, string host)
    {
        await using var db = await app.DbAsync();
        await AssertSdkTelemetryStoredAsync(db, sessionId, userId, host);
    }

    internal static async Task AssertSdkTelemetryStoredAsync(DevInsights.Core.Data.DevInsightsDbContext db, string sessionId, string userId, string host)
    {
        var stored = await db.FiguresAsync(sessionId);
        Assert.Equal(("other", userId, host, "https://github.com/acme/sdk-test"), (stored.Client, stored.DeveloperId, stored.Machine, stored.Project));
        Assert.Equal("log:3", stored.EventTypes);
        var session = await db.Sessions.SingleAsync(s => s.ClientSessionId == sessionId);
        var points = await db.Set<DevInsights.Core.Otlp.Storage.MetricPoint>().Where(p => p.SessionId == session.Id && p.Name == "sdk.requests").ToListAsync();
        // The .NET SDK exports cumulative sums; the first point of a series that began after the app started counts in full.
        Assert.Equal(5, points.Sum(p => p.Increment));
        Assert.All(points, p => Assert.Equal(("{request}", userId), (p.Unit, p.DeveloperId)));
    }

    internal static byte[] Frame(byte[] message, bool compressed = false)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] Unframe(byte[] frame)
    {
        Assert.Equal(0, frame[0]);
        Assert.Equal(frame.Length - 5, (int)BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(1)));
        return frame[5..];
    }

    private static HttpClient Http2Client() => new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The SDK sends synchronously (HttpClient.Send), which the test server's handler does not implement.</summary>
    private sealed class BlockingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
            SendAsync(request, cancellationToken).GetAwaiter().GetResult();
    }

    internal sealed record GrpcReply(string? Status, string? Message, string? ContentType, byte[] Body);

    /// <summary>One unary call over HTTP/2 cleartext, as a gRPC client makes it.</summary>
    internal static async Task<GrpcReply> CallAsync(int port, string method, byte[] body, string? key, string? encoding = null)
    {
        using var http = Http2Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}{method}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (key is not null) request.Headers.Add("x-api-key", key);
        if (encoding is not null) request.Headers.Add("grpc-encoding", encoding);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync(); // to the end, so the trailers have arrived
        string? Trailer(string name) => response.TrailingHeaders.TryGetValues(name, out var values) ? Uri.UnescapeDataString(values.Single()) : null;
        return new GrpcReply(Trailer("grpc-status"), Trailer("grpc-message"), response.Content.Headers.ContentType?.MediaType, bytes);
    }
}
