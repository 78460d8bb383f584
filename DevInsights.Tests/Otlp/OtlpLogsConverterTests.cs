using System.Text.Json;
using DevInsights.Core.Otlp;
using DevInsights.Core.Sessions;
using OpenTelemetry.Proto.Logs.V1;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;
using static DevInsights.Tests.Otlp.OtlpTestData;

namespace DevInsights.Tests.Otlp;

public sealed class OtlpLogsConverterTests
{
    private static readonly OpenTelemetry.Proto.Resource.V1.Resource _claude = Resource(Kv("service.name", "claude-code"), Kv("service.version", "2.1.328"));

    private static LogRecord ClaudeEvent(string name, int sequence, params OpenTelemetry.Proto.Common.V1.KeyValue[] attributes)
        => Log(Start.AddSeconds(sequence), "claude_code." + name,
            [Kv("session.id", "s-1"), Kv("event.name", name), Kv("event.sequence", sequence), .. attributes]);

    [Fact]
    public void OneBadRecord_IsRejectedAndTheOthersKept()
    {
        var request = Logs(_claude, "com.anthropic.claude_code.events",
            ClaudeEvent("user_prompt", 0),
            ClaudeEvent("api_request", 1, Kv("input_tokens", "many"), Kv("output_tokens", 5)),
            ClaudeEvent("api_request", 2, Kv("input_tokens", 10), Kv("output_tokens", -1)),
            ClaudeEvent("api_request", 3, Kv("input_tokens", 10), Kv("cost_usd", "free")),
            ClaudeEvent("api_request", 4, Kv("input_tokens", 7L), Kv("cost_usd_micros", 1500), Kv("request_id", "req_1")));

        var result = new OtlpLogsConverter().Convert(request, ReceivedAt);

        Assert.Equal((5, 0, 3), (result.RecordCount, result.SkippedCount, result.RejectedCount));
        Assert.Equal(
        [
            "resourceLogs[0].scopeLogs[0].logRecords[1]: attribute 'input_tokens' must be a non-negative whole number, got \"many\"",
            "resourceLogs[0].scopeLogs[0].logRecords[2]: attribute 'output_tokens' must be a non-negative whole number, got \"-1\"",
            "resourceLogs[0].scopeLogs[0].logRecords[3]: attribute 'cost_usd' must be a finite, non-negative number, got \"free\"",
        ], result.Errors);
        Assert.Equal(string.Join("; ", result.Errors), result.ErrorMessage);
        var api = Assert.Single(result.Events, e => e.Type == OtlpEventTypes.ApiRequest);
        Assert.Equal((7L, 0.0015, "req_1"), (api.InputTokens, api.CostUsd!.Value, api.ClientEventId));
    }

    [Fact]
    public void ErrorMessages_AreCapped_CountsAreNot()
    {
        var records = Enumerable.Range(0, 30).Select(i => ClaudeEvent("api_request", i, Kv("input_tokens", 1.5))).ToArray();

        var result = new OtlpLogsConverter(new OtlpConversionOptions { MaxErrors = 2 }).Convert(Logs(_claude, "x", records), ReceivedAt);

        Assert.Equal(30, result.RejectedCount);
        Assert.Equal(2, result.Errors.Count);
        Assert.Empty(result.Events);
    }

    [Fact]
    public void Limits_CapAttributeCountAndValueLength()
    {
        var options = new OtlpConversionOptions { MaxAttributeCount = 4, MaxAttributeValueLength = 16 };
        var record = ClaudeEvent("plugin_loaded", 0,
            Kv("long", new string('x', 40)), Kv("emoji", new string('a', 15) + "😀"), Kv("a", 1), Kv("b", 2), Kv("c", 3));

        var e = Assert.Single(new OtlpLogsConverter(options).Convert(Logs(_claude, "x", record), ReceivedAt).Events);

        var json = JsonDocument.Parse(e.AttributesJson!).RootElement;
        Assert.Equal(["event.sequence", "long", "emoji", "a", OtlpAttributeJson.DroppedKey], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new string('x', 16), json.GetProperty("long").GetString());
        // A surrogate pair is never cut in half.
        Assert.Equal(new string('a', 15), json.GetProperty("emoji").GetString());
        Assert.Equal(2, json.GetProperty(OtlpAttributeJson.DroppedKey).GetInt32());
    }

    [Fact]
    public void Attributes_KeepTheirTypes()
    {
        var record = ClaudeEvent("hook_run", 0,
            Kv("flag", true), Kv("ratio", 0.25), Kv("nan", double.NaN), Kv("bytes", new byte[] { 1, 2, 3 }), Kv("none", null),
            Kv("list", new object[] { "a", 1L, new object[] { false } }), Kv("map", new[] { Kv("k", "v"), Kv("n", 2) }), Kv("k", "first"), Kv("k", "second"));

        var e = Assert.Single(new OtlpLogsConverter().Convert(Logs(_claude, "x", record), ReceivedAt).Events);

        Assert.Equal(
            """{"event.sequence":0,"flag":true,"ratio":0.25,"nan":"NaN","bytes":"AQID","none":null,"list":["a",1,[false]],"map":{"k":"v","n":2},"k":"first","otlp.dropped_attributes":1}""",
            e.AttributesJson);
    }

    [Fact]
    public void Content_IsKeptOnlyWhenAsked()
    {
        var record = ClaudeEvent("user_prompt", 0, Kv("prompt", "fix the bug"), Kv("prompt_length", 11));
        var request = Logs(_claude, "x", record);

        var without = Assert.Single(new OtlpLogsConverter().Convert(request, ReceivedAt).Events);
        var with = Assert.Single(new OtlpLogsConverter(new OtlpConversionOptions { KeepContent = true }).Convert(request, ReceivedAt).Events);

        Assert.Equal("""{"event.sequence":0,"prompt_length":11}""", without.AttributesJson);
        Assert.Equal("""{"event.sequence":0,"prompt":"fix the bug","prompt_length":11}""", with.AttributesJson);
        Assert.Equal(without.ClientEventId, with.ClientEventId);
    }

    [Fact]
    public void TooDeepValues_RejectTheRecord_LoneSurrogatesAreReplaced()
    {
        var deep = Any("leaf");
        for (var i = 0; i < 12; i++)
        {
            deep = new OpenTelemetry.Proto.Common.V1.AnyValue { ArrayValue = new OpenTelemetry.Proto.Common.V1.ArrayValue { Values = { deep } } };
        }

        var request = Logs(_claude, "x",
            ClaudeEvent("a", 0, new OpenTelemetry.Proto.Common.V1.KeyValue { Key = "deep", Value = deep }),
            ClaudeEvent("b", 1, Kv("broken", "\ud800")),
            ClaudeEvent("c", 2));

        var result = new OtlpLogsConverter().Convert(request, ReceivedAt);

        Assert.Equal(1, result.RejectedCount);
        Assert.Equal("resourceLogs[0].scopeLogs[0].logRecords[0]: attribute 'deep' nests deeper than 8 levels", Assert.Single(result.Errors));
        Assert.Equal(["b", "c"], result.Events.Select(e => e.Type));
        // A lone surrogate (valid in JSON escapes, rejected by PostgreSQL) becomes U+FFFD instead of failing a batch.
        Assert.Equal("\uFFFD", AttributeText(result.Events[0], "broken"));
    }

    [Fact]
    public void SessionIds_LongerThanTheColumn_AreRejected()
    {
        var record = Log(Start, "claude_code.user_prompt", Kv("session.id", new string('s', 201)));

        var result = new OtlpLogsConverter().Convert(Logs(_claude, "x", record), ReceivedAt);

        Assert.Equal(1, result.RejectedCount);
        Assert.Contains("session id is longer than 200 characters", result.Errors[0]);
    }

    [Fact]
    public void PlainLogsOfOtherSenders_GoToADailySyntheticSession()
    {
        var resource = Resource(Kv("service.name", "build-agent"), Kv("host.name", "ci-7"), Kv("vcs.repository.url.full", "https://github.com/acme/acme-api"),
            Kv("vcs.ref.head.name", "main"), Kv("devinsights.project", "acme"), Kv("user.email", "ada@example.com"));
        var plain = Log(Start, "disk almost full", Kv("disk", "/dev/sda1"));
        plain.SeverityText = "WARN";
        plain.SeverityNumber = SeverityNumber.Warn;
        var named = Log(Start.AddHours(20), null, Kv("event.name", "deploy.finished"), Kv("duration_ms", 1200), Kv("success", "false"));

        var result = new OtlpLogsConverter().Convert(Logs(resource, "ci", plain, named), ReceivedAt);

        Assert.Equal(["otlp:build-agent:ci-7:2026-11-21", "otlp:build-agent:ci-7:2026-11-22"], result.Events.Select(e => e.ClientSessionId));
        var log = result.Events[0];
        Assert.Equal(OtlpEventTypes.Log, log.Type);
        Assert.Equal("""{"disk":"/dev/sda1","body":"disk almost full","severity":"WARN"}""", log.AttributesJson);
        var deploy = result.Events[1];
        Assert.Equal(("deploy.finished", 1200L, false), (deploy.Type, deploy.DurationMs!.Value, deploy.Success!.Value));
        var context = result.Sessions["otlp:build-agent:ci-7:2026-11-21"];
        Assert.Equal(ClientKind.Other, context.Client);
        Assert.Equal(("https://github.com/acme/acme-api", "main", "acme", null), (context.RepositoryUrl, context.Branch, context.Project, context.Workspace));
        Assert.Equal(("ci-7", "host.name"), (context.MachineKey, context.MachineKeySource));
        Assert.Equal(["ada@example.com"], context.DeveloperCandidates);
    }

    [Fact]
    public void SdkDiagnosticsOfAKnownClient_AreSkipped()
    {
        var debug = Log(Start, "flushing OTEL metrics");
        debug.EventName = "event otel/src/metrics/client.rs:324";

        var result = new OtlpLogsConverter().Convert(Logs(Resource(Kv("service.name", "codex_exec")), "codex_otel::metrics::client", debug), ReceivedAt);

        Assert.Equal((1, 1, 0), (result.RecordCount, result.SkippedCount, result.RejectedCount));
        Assert.Empty(result.Events);
    }

    [Fact]
    public void Timestamps_FallBackFromOtlpTimesToEventTimestampToReceipt()
    {
        var stated = Log(Start, "claude_code.a", Kv("session.id", "s"), Kv("event.timestamp", "2026-11-21T10:00:05.250Z"));
        stated.TimeUnixNano = 0;
        stated.ObservedTimeUnixNano = 0;
        var none = Log(Start, "claude_code.b", Kv("session.id", "s"));
        none.TimeUnixNano = 0;
        none.ObservedTimeUnixNano = 0;
        var observed = Log(Start, "claude_code.c", Kv("session.id", "s"));
        observed.TimeUnixNano = 0;

        var events = new OtlpLogsConverter().Convert(Logs(_claude, "x", stated, none, observed), ReceivedAt).Events;

        Assert.Equal([Start.AddSeconds(5.25), ReceivedAt, Start], events.Select(e => e.Timestamp));
    }

    [Fact]
    public void EventIds_IgnoreAttributeOrder_ButSeeEveryDifference()
    {
        LogRecord Record(int sequence, bool reversed)
        {
            var attributes = new[] { Kv("session.id", "s-1"), Kv("event.sequence", sequence), Kv("tool_name", "Bash") };
            return Log(Start, "claude_code.tool_decision", reversed ? attributes.Reverse().ToArray() : attributes);
        }

        var ids = new OtlpLogsConverter().Convert(Logs(_claude, "x", Record(1, false), Record(1, true), Record(2, false)), ReceivedAt)
            .Events.Select(e => e.ClientEventId).ToList();

        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[0], ids[2]);
        Assert.Matches("^[0-9a-f]{32}$", ids[0]);
    }

    [Fact]
    public void ClaudeErrors_AreFailedApiEvents()
    {
        var request = Logs(_claude, "x",
            ClaudeEvent("api_error", 0, Kv("model", "claude-opus-4-8"), Kv("status_code", "529"), Kv("duration_ms", 40), Kv("error", "overloaded")),
            ClaudeEvent("tool_result", 1, Kv("tool_name", "Bash"), Kv("success", "false"), Kv("duration_ms", "12")));

        var events = new OtlpLogsConverter().Convert(request, ReceivedAt).Events;

        Assert.Equal((OtlpEventTypes.ApiError, false, "claude-opus-4-8", 40L), (events[0].Type, events[0].Success!.Value, events[0].Model, events[0].DurationMs!.Value));
        Assert.Equal((OtlpEventTypes.ToolResult, "Bash", false, 12L), (events[1].Type, events[1].ToolName, events[1].Success!.Value, events[1].DurationMs!.Value));
    }

    [Fact]
    public void CodexStreamFailures_AreApiErrors()
    {
        var codex = Resource(Kv("service.name", "codex_cli_rs"));
        var failed = Log(Start, null, Kv("event.name", "codex.sse_event"), Kv("event.kind", "response.failed"), Kv("conversation.id", "c-1"));
        var chunk = Log(Start, null, Kv("event.name", "codex.sse_event"), Kv("event.kind", "response.output_text.delta"), Kv("conversation.id", "c-1"));
        var refused = Log(Start, null, Kv("event.name", "codex.api_request"), Kv("http.response.status_code", "429"), Kv("conversation.id", "c-1"));

        var result = new OtlpLogsConverter().Convert(Logs(codex, "codex_otel.log_only", failed, chunk, refused), ReceivedAt);

        Assert.Equal([OtlpEventTypes.ApiError, OtlpEventTypes.ApiError], result.Events.Select(e => e.Type));
        Assert.All(result.Events, e => Assert.False(e.Success));
        Assert.Equal(1, result.SkippedCount);
        Assert.Equal(ClientKind.Codex, result.Sessions["c-1"].Client);
    }
}
