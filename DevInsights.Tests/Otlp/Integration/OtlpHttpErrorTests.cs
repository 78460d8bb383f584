using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DevInsights.Core.Configuration;
using DevInsights.Core.Ingestion;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Collector.Logs.V1;
using static DevInsights.Tests.Otlp.Integration.OtlpIntegrationKit;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary>OTLP/HTTP refusals: each clear, in the status the OTLP specification gives (so clients retry only what a
/// retry can fix), and storing nothing.</summary>
public sealed class OtlpHttpErrorTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task A_gzip_body_is_inflated_and_stored(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var sessionId = NewSessionId();

        using var response = await client.PostOtlpAsync("/v1/logs", Gzip(ClaudeLogs(sessionId).ToByteArray()), ProtobufType, "gzip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ProtobufType, response.Content.Headers.ContentType?.MediaType);
        var figures = await app.FiguresAsync(sessionId);
        Assert.Equal(ClaudeLogsFigures(), ((int)figures.Events, (int)figures.ApiRequests));
    }

    [Theory, BothProviders]
    public async Task Malformed_bodies_are_400_problem_details_for_json_and_a_status_for_protobuf(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var valid = ClaudeLogs(NewSessionId()).ToByteArray();

        // Truncated protobuf: the OTLP spec's error body for protobuf callers is a google.rpc.Status.
        using var truncated = await client.PostOtlpAsync("/v1/logs", valid[..(valid.Length / 2)], ProtobufType);
        var status = await ReadStatusAsync(truncated, HttpStatusCode.BadRequest);
        Assert.Equal(3, status.Code); // INVALID_ARGUMENT
        Assert.Contains("Invalid OTLP/protobuf ExportLogsServiceRequest", status.Message);

        using var json = await client.PostOtlpAsync("/v1/metrics", Encoding.UTF8.GetBytes("{\"resourceMetrics\": [{"), "application/json");
        var problem = await json.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["$"], IngestionTestKit.ErrorKeys(problem));

        // A gzip body cut short inflates to part of the message: refused, not half-stored.
        var gzip = Gzip(valid);
        using var cut = await client.PostOtlpAsync("/v1/logs", gzip[..(gzip.Length - 10)], ProtobufType, "gzip");
        Assert.Contains("truncated", (await ReadStatusAsync(cut, HttpStatusCode.BadRequest)).Message, StringComparison.Ordinal);
        using var notGzip = await client.PostOtlpAsync("/v1/logs", valid, ProtobufType, "gzip");
        Assert.Contains("not gzip", (await ReadStatusAsync(notGzip, HttpStatusCode.BadRequest)).Message, StringComparison.Ordinal);
    }

    [Theory, BothProviders]
    public async Task Other_content_types_and_encodings_are_415(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();

        using var text = await client.PostOtlpAsync("/v1/traces", Encoding.UTF8.GetBytes("hello"), "text/plain");
        Assert.Contains("application/x-protobuf", (string?)(await text.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType))["detail"]);
        using var brotli = await client.PostOtlpAsync("/v1/logs", [1, 2, 3], ProtobufType, "br");
        await brotli.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Theory, BothProviders]
    public async Task Oversized_bodies_and_gzip_bombs_are_413(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var limit = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DevInsightsOptions>>().Value.Otlp.MaxBodyBytes;

        using var large = await client.PostOtlpAsync("/v1/metrics", new byte[limit + 1], "application/json");
        await large.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        // 64 MB of zeros compress to a few hundred KB: the inflation stops at the limit.
        var bomb = Gzip(new byte[64 * 1024 * 1024]);
        Assert.True(bomb.Length < limit / 8, $"{bomb.Length} bytes");
        using var inflated = await client.PostOtlpAsync("/v1/logs", bomb, ProtobufType, "gzip");
        Assert.Equal(8, (await ReadStatusAsync(inflated, HttpStatusCode.RequestEntityTooLarge)).Code);
    }

    [Theory, BothProviders]
    public async Task A_missing_or_wrong_key_is_401(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var sessionId = NewSessionId();
        using var anonymous = app.CreateClient();
        using var missing = await anonymous.PostOtlpAsync("/v1/logs", ClaudeLogs(sessionId));
        await missing.ReadProblemAsync(HttpStatusCode.Unauthorized);

        anonymous.DefaultRequestHeaders.Add("x-api-key", "dvi_not-a-key");
        using var wrong = await anonymous.PostOtlpAsync("/v1/logs", ClaudeLogs(sessionId));
        Assert.Contains("invalid", (string?)(await wrong.ReadProblemAsync(HttpStatusCode.Unauthorized))["detail"], StringComparison.Ordinal);

        // Bearer works like x-api-key.
        var (_, _, key) = await app.CreateUserClientAsync();
        using var bearer = app.CreateClient();
        DevInsightsFactory.UseBearer(bearer, key);
        using var accepted = await bearer.PostOtlpAsync("/v1/logs", ClaudeLogs(sessionId), json: true);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Null(await app.SessionAsync(NewSessionId()));
        Assert.NotNull(await app.SessionAsync(sessionId));
    }

    [Theory, BothProviders]
    public async Task One_bad_record_is_a_partial_success_in_the_requests_encoding(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var sessionId = NewSessionId();
        var request = ClaudeLogs(sessionId);
        var records = request.ResourceLogs[0].ScopeLogs[0].LogRecords;
        var bad = records[^1].Clone();
        bad.Attributes.Single(a => a.Key == "session.id").Value.StringValue = new string('x', 201);
        records.Add(bad);

        using var json = await client.PostOtlpAsync("/v1/logs", request, json: true);
        var body = JsonNode.Parse(await json.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("1", (string?)body["partialSuccess"]!["rejectedLogRecords"]);
        Assert.Contains("longer than 200", (string?)body["partialSuccess"]!["errorMessage"]);

        using var protobuf = await client.PostOtlpAsync("/v1/logs", request);
        var reply = ExportLogsServiceResponse.Parser.ParseFrom(await protobuf.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, reply.PartialSuccess.RejectedLogRecords);
        // The good records were stored once (the second post was a retry of them).
        Assert.Equal(ClaudeLogsFigures().Events, (int)(await app.FiguresAsync(sessionId)).Events);
    }

    [Theory, BothProviders]
    public async Task A_full_queue_is_429_and_a_failing_writer_503_both_with_Retry_After(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider, new Dictionary<string, string?> { ["DevInsights:Ingestion:QueueCapacity"] = "1" });
        var (client, _, _) = await app.CreateUserClientAsync();
        var writer = app.Services.GetRequiredService<IngestionWriter>();
        var queue = app.Services.GetRequiredService<IngestionQueue>();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        writer.BeforeTransaction = async () =>
        {
            entered.TrySetResult();
            await release.Task;
        };

        var held = client.PostOtlpAsync("/v1/logs", ClaudeLogs(NewSessionId()));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = client.PostOtlpAsync("/v1/logs", ClaudeLogs(NewSessionId()));
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            while (queue.Count < 1) await Task.Delay(5, cts.Token);
        var refusedSession = NewSessionId();
        using var refused = await client.PostOtlpAsync("/v1/logs", ClaudeLogs(refusedSession));
        Assert.Equal(8, (await ReadStatusAsync(refused, HttpStatusCode.TooManyRequests)).Code);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        release.TrySetResult();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        Assert.Null(await app.SessionAsync(refusedSession));

        writer.BeforeTransaction = () => throw new TimeoutException("database unreachable");
        using var failed = await client.PostOtlpAsync("/v1/logs", ClaudeLogs(refusedSession), json: true);
        await failed.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.True(failed.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Null(await app.SessionAsync(refusedSession));
        writer.BeforeTransaction = null;
    }

    private static async Task<(int Code, string Message)> ReadStatusAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        Assert.Equal(ProtobufType, response.Content.Headers.ContentType?.MediaType);
        // google.rpc.Status: field 1 code (varint), field 2 message (string).
        var input = new CodedInputStream(body);
        int code = 0;
        var message = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == 8) code = input.ReadInt32();
            else if (tag == 18) message = input.ReadString();
            else input.SkipLastField();
        }

        return (code, message);
    }
}
