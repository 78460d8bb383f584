using DevInsights.Core.Otlp;
using DevInsights.Core.Sessions;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Otlp;

/// <summary>One pipeline for both encodings, and idempotency keys that neither collide nor drift.</summary>
public sealed class OtlpFixtureIdentityTests
{
    public static TheoryData<string, string> ProtobufScenarios => new()
    {
        { Claude, "c-tool-use-protobuf-traces" },
        { Codex, "c-shell-tool-protobuf" },
    };

    [Theory]
    [MemberData(nameof(ProtobufScenarios))]
    public void ProtobufAndItsJsonTwin_GiveIdenticalEvents(string cli, string scenario)
    {
        foreach (var pb in Requests(cli, scenario, "logs"))
        {
            var fromProtobuf = Read<ExportLogsServiceRequest>(pb);
            var fromJson = Read<ExportLogsServiceRequest>(pb.Replace(".pb", ".decoded.json", StringComparison.Ordinal));
            Assert.Equal(fromProtobuf, fromJson);

            var a = new OtlpLogsConverter().Convert(fromProtobuf, ReceivedAt);
            var b = new OtlpLogsConverter().Convert(fromJson, ReceivedAt);
            Assert.NotEmpty(a.Events);
            Assert.Equal(a.Events, b.Events);
            Assert.Equal(a.Sessions, b.Sessions);
            Assert.Equal((a.RecordCount, a.SkippedCount, a.RejectedCount), (b.RecordCount, b.SkippedCount, b.RejectedCount));
        }
    }

    [Theory]
    [MemberData(nameof(ProtobufScenarios))]
    public void ProtobufAndItsJsonTwin_GiveIdenticalMetricPoints(string cli, string scenario)
    {
        foreach (var pb in Requests(cli, scenario, "metrics"))
        {
            var fromProtobuf = Read<ExportMetricsServiceRequest>(pb);
            var fromJson = Read<ExportMetricsServiceRequest>(pb.Replace(".pb", ".decoded.json", StringComparison.Ordinal));
            Assert.Equal(fromProtobuf, fromJson);

            var a = new OtlpMetricsConverter(new CumulativeState(DateTime.MinValue)).Convert(fromProtobuf);
            var b = new OtlpMetricsConverter(new CumulativeState(DateTime.MinValue)).Convert(fromJson);
            Assert.NotEmpty(a.Points);
            Assert.Equal(a.Points, b.Points);
            Assert.Equal(a.Sessions, b.Sessions);
        }
    }

    [Fact]
    public void ClaudeTraces_AreCountedInBothEncodings()
    {
        var pb = Assert.Single(Requests(Claude, "c-tool-use-protobuf-traces", "traces"));
        var fromProtobuf = Read<ExportTraceServiceRequest>(pb);
        var fromJson = Read<ExportTraceServiceRequest>(pb.Replace(".pb", ".decoded.json", StringComparison.Ordinal));

        Assert.Equal(fromProtobuf, fromJson);
        // The hex ids of the JSON twin decode to the very bytes of the protobuf body.
        var root = fromJson.ResourceSpans[0].ScopeSpans[0].Spans.Single(s => s.ParentSpanId.IsEmpty);
        Assert.Equal("claude_code.interaction", root.Name);
        Assert.Equal("d23f365c12ebaa368a54804f40d6f05f", Convert.ToHexStringLower(root.TraceId.Span));
        Assert.Equal("8ac927bdbe81a401", Convert.ToHexStringLower(root.SpanId.Span));
        var traces = new OtlpTracesConverter().Convert(fromProtobuf);
        Assert.Equal((10, 0), (traces.SpanCount, traces.RejectedCount));
        Assert.Equal(traces.Contexts, new OtlpTracesConverter().Convert(fromJson).Contexts);
        // The spans' sender is known like the records' (Claude Code's install id as the machine key).
        var context = Assert.Single(traces.Contexts);
        Assert.Equal((ClientKind.ClaudeCode, "user.id"), (context.Client, context.MachineKeySource));
    }

    [Fact]
    public void LogRecordsOfATracedRun_KeepTheirTraceIds()
    {
        var events = Events(Claude, "c-tool-use-protobuf-traces");

        // Start-up events come before the first interaction span; everything from the prompt on is in its trace.
        Assert.All(events.Take(4), e => Assert.Null(Attribute(e, "trace_id")));
        Assert.All(events.Skip(4), e =>
        {
            Assert.Equal("d23f365c12ebaa368a54804f40d6f05f", AttributeText(e, "trace_id"));
            Assert.Equal(16, AttributeText(e, "span_id")!.Length);
        });
        Assert.All(Events(Claude, "b-tool-use-json"), e => Assert.Null(Attribute(e, "trace_id")));
    }

    [Fact]
    public void ClientEventIds_AreUniqueAcrossEveryFixtureRecord()
    {
        var ids = ClaudeScenarios.SelectMany(s => Events(Claude, s))
            .Concat(CodexScenarios.SelectMany(s => Events(Codex, s)))
            .Select(e => e.ClientEventId)
            .ToList();

        Assert.Equal(54 + 41, ids.Count);
        Assert.All(ids, id => Assert.InRange(id!.Length, 30, 32));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(Claude, "b-tool-use-json")]
    [InlineData(Codex, "b-shell-tool-json")]
    public void Reconverting_TheSameExport_GivesTheSameIds(string cli, string scenario)
    {
        var first = Events(cli, scenario).Select(e => e.ClientEventId).ToList();
        var again = Events(cli, scenario).Select(e => e.ClientEventId).ToList();
        // A different content setting changes the stored attributes, not the identity of the records.
        var withContent = ConvertLogs(cli, scenario, new OtlpLogsConverter(new OtlpConversionOptions { KeepContent = true }))
            .SelectMany(r => r.Events).Select(e => e.ClientEventId).ToList();

        Assert.Equal(first, again);
        Assert.Equal(first, withContent);
    }
}
