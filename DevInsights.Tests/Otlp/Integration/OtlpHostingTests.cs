using System.Globalization;
using System.Net;
using DevInsights.Core.Configuration;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary>The real server (<c>dotnet DevInsights.Web.dll --urls …</c>): the OTLP/gRPC listener must not take the
/// app's addresses away, and both OTLP transports work over real sockets with the OpenTelemetry SDK.</summary>
public sealed class OtlpHostingTests
{
    [Theory, BothProviders]
    public async Task The_server_keeps_its_urls_and_serves_grpc_on_its_own_port(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var grpcPort = GrpcAppFixture.FreePort();
        using var web = await WebAppProcess.StartAsync(database,
            new Dictionary<string, string> { ["DevInsights:Otlp:GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture) });
        var (userId, key) = await WebAppProcess.CreateUserAsync(database);
        using (var probe = new HttpClient { BaseAddress = web.BaseAddress })
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health")).StatusCode); // still on the --urls address
        var (overHttp, overGrpc) = (NewSessionId(), NewSessionId());

        await OtlpGrpcTests.ExportWithSdkAsync(OtlpExportProtocol.HttpProtobuf, web.BaseAddress, key, overHttp, "http-host", null);
        await OtlpGrpcTests.ExportWithSdkAsync(OtlpExportProtocol.Grpc, new Uri($"http://localhost:{grpcPort}"), key, overGrpc, "grpc-host", null);

        await using var db = WebAppProcess.OpenDatabase(database);
        await OtlpGrpcTests.AssertSdkTelemetryStoredAsync(db, overHttp, userId, "http-host");
        await OtlpGrpcTests.AssertSdkTelemetryStoredAsync(db, overGrpc, userId, "grpc-host");
    }
}

/// <summary>Which interfaces the gRPC listener binds, from the app's own configured addresses.</summary>
public sealed class OtlpGrpcBindingTests
{
    [Theory]
    [InlineData(null, null, true)] // Kestrel's default, http://localhost:5000
    [InlineData("http://localhost:5000", null, true)]
    [InlineData("http://127.0.0.1:0;http://[::1]:5001", null, true)]
    [InlineData("http://+:8080", null, false)] // the Docker image
    [InlineData("http://0.0.0.0:80", null, false)]
    [InlineData("http://localhost:5000;http://192.168.1.20:5000", null, false)]
    [InlineData("http://devbox:5000", null, false)] // Kestrel binds host names on every interface
    [InlineData(null, "8080", false)] // HTTP_PORTS
    public void Loopback_only_when_every_app_address_is_loopback(string? urls, string? httpPorts, bool loopback)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls, ["http_ports"] = httpPorts }).Build();
        Assert.Equal(loopback, DevInsights.Web.Otlp.OtlpGrpcServer.AppListensOnLoopbackOnly(configuration));
    }
}
