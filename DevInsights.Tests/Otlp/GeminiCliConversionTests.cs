using System.Text;
using DevInsights.Core.Otlp;
using DevInsights.Core.Sessions;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Metrics.V1;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;
using static DevInsights.Tests.Otlp.OtlpTestData;

namespace DevInsights.Tests.Otlp;

/// <summary>Gemini CLI has no recorded fixture yet: a payload built from the names in TELEMETRY.md §4 and
/// the CLI's own logger (event.name attribute, a human sentence as body, session.id on every record).</summary>
public sealed class GeminiCliConversionTests
{
    private static readonly OpenTelemetry.Proto.Resource.V1.Resource _gemini =
        Resource(Kv("service.name", "gemini-cli"), Kv("service.version", "0.20.0"), Kv("host.name", "laptop-3"));

    private static ExportLogsServiceRequest Session() => Logs(_gemini, "gemini-cli",
        Log(Start, "User prompt. Length: 42.", Kv("session.id", "g-1"), Kv("event.name", "gemini_cli.user_prompt"),
            Kv("prompt_length", 42), Kv("prompt", "explain the users API"), Kv("user.email", "grace@example.com")),
        Log(Start.AddSeconds(1), "API request to gemini-2.5-pro.", Kv("session.id", "g-1"), Kv("event.name", "gemini_cli.api_request"),
            Kv("model", "gemini-2.5-pro")),
        Log(Start.AddSeconds(3), "API response from gemini-2.5-pro. Status: 200. Duration: 2000ms.", Kv("session.id", "g-1"),
            Kv("event.name", "gemini_cli.api_response"), Kv("model", "gemini-2.5-pro"), Kv("status_code", 200), Kv("duration_ms", 2000),
            Kv("input_token_count", 1200), Kv("output_token_count", 300), Kv("cached_content_token_count", 200),
            Kv("thoughts_token_count", 50), Kv("tool_token_count", 0), Kv("total_token_count", 1550)),
        Log(Start.AddSeconds(4), "Tool call: read_file. Decision: accept. Success: true. Duration: 12ms.", Kv("session.id", "g-1"),
            Kv("event.name", "gemini_cli.tool_call"), Kv("function_name", "read_file"), Kv("function_args", "{\"path\":\"app.py\"}"),
            Kv("duration_ms", 12), Kv("success", true), Kv("decision", "accept")),
        Log(Start.AddSeconds(5), "Tool call: run_shell_command. Decision: reject. Success: false. Duration: 3ms.", Kv("session.id", "g-1"),
            Kv("event.name", "gemini_cli.tool_call"), Kv("function_name", "run_shell_command"), Kv("duration_ms", 3), Kv("success", false),
            Kv("decision", "reject")),
        Log(Start.AddSeconds(6), "API error for gemini-2.5-pro. Error: quota. StatusCode: 429. Duration: 80ms.", Kv("session.id", "g-1"),
            Kv("event.name", "gemini_cli.api_error"), Kv("model", "gemini-2.5-pro"), Kv("status_code", 429), Kv("duration_ms", 80),
            Kv("error", "quota")));

    [Fact]
    public void Events_MapToTheCommonVocabulary()
    {
        var result = new OtlpLogsConverter().Convert(Session(), ReceivedAt);

        Assert.Equal(0, result.RejectedCount);
        Assert.Equal(
            [OtlpEventTypes.UserPrompt, OtlpEventTypes.ApiAttempt, OtlpEventTypes.ApiRequest, OtlpEventTypes.ToolResult, OtlpEventTypes.ToolResult, OtlpEventTypes.ApiError],
            result.Events.Select(e => e.Type));
        Assert.All(result.Events, e => Assert.Equal("g-1", e.ClientSessionId));

        var response = result.Events[2];
        // Cached content is part of the prompt count; thoughts are billed as output.
        Assert.Equal((1000L, 350L, 200L, 0L), (response.InputTokens, response.OutputTokens, response.CacheReadTokens, response.CacheCreationTokens));
        Assert.Equal(("gemini-2.5-pro", 2000L, true), (response.Model, response.DurationMs!.Value, response.Success!.Value));
        Assert.Null(response.CostUsd);
        Assert.Equal([("read_file", true, 12L), ("run_shell_command", false, 3L)],
            result.Events.Where(e => e.Type == OtlpEventTypes.ToolResult).Select(e => (e.ToolName!, e.Success!.Value, e.DurationMs!.Value)));
        Assert.Equal("reject", AttributeText(result.Events[4], "decision"));
        Assert.Null(Attribute(result.Events[3], "function_args"));
        Assert.False(result.Events[5].Success);

        var context = result.Sessions["g-1"];
        Assert.Equal((ClientKind.GeminiCli, "0.20.0", "laptop-3"), (context.Client, context.ServiceVersion, context.MachineKey));
        Assert.Equal(["grace@example.com"], context.DeveloperCandidates);
    }

    [Fact]
    public void TheSamePayloadAsJson_GivesTheSameEvents()
    {
        // Google.Protobuf's own JSON: base64 ids, 64-bit integers as strings, enum names.
        var request = Session();
        request.ResourceLogs[0].ScopeLogs[0].LogRecords[0].TraceId = ByteString.CopyFrom(Convert.FromHexString("d23f365c12ebaa368a54804f40d6f05f"));
        var json = JsonFormatter.Default.Format(request);

        var fromJson = OtlpJsonReader.Read<ExportLogsServiceRequest>(Encoding.UTF8.GetBytes(json));

        Assert.Equal(request, fromJson);
        Assert.Equal(new OtlpLogsConverter().Convert(request, ReceivedAt).Events, new OtlpLogsConverter().Convert(fromJson, ReceivedAt).Events);
    }

    [Fact]
    public void LinesChanged_AreSessionFigures()
    {
        var metrics = Metrics(_gemini,
            Sum("gemini_cli.lines.changed", AggregationTemporality.Delta,
                Point(Start, Start.AddMinutes(1), 10, Kv("session.id", "g-1"), Kv("type", "added"), Kv("function_name", "replace")),
                Point(Start, Start.AddMinutes(1), 3, Kv("session.id", "g-1"), Kv("type", "removed"), Kv("function_name", "replace"))),
            Sum("gemini_cli.token.usage", AggregationTemporality.Delta,
                Point(Start, Start.AddMinutes(1), 1550, Kv("session.id", "g-1"), Kv("type", "input"), Kv("model", "gemini-2.5-pro"))));

        var result = new OtlpMetricsConverter(new CumulativeState(DateTime.MinValue)).Convert(metrics);

        var session = Assert.Single(result.SessionMetrics);
        Assert.Equal(("g-1", 10L, 3L), (session.ClientSessionId, session.LinesAdded, session.LinesRemoved));
        Assert.Equal(3, result.Points.Count);
        Assert.Equal(ClientKind.GeminiCli, result.Sessions["g-1"].Client);
    }
}
