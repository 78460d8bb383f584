using System.Text;
using DevInsights.Core.Otlp;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Otlp;

public sealed class OtlpRequestReaderTests
{
    private static ExportLogsServiceRequest ReadLogs(string json) => OtlpJsonReader.Read<ExportLogsServiceRequest>(Encoding.UTF8.GetBytes(json));

    private static LogRecord OneRecord(string recordJson)
        => ReadLogs($$"""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{{recordJson}}]}]}]}""").ResourceLogs[0].ScopeLogs[0].LogRecords[0];

    [Fact]
    public void IntegersArrive_AsNumbersOrStrings()
    {
        // Claude Code writes intValue as a JSON number, Codex as a string; 64-bit times are strings. A long
        // integer written as a number keeps every digit (a double would round it).
        var record = OneRecord("""
            {"timeUnixNano":"1795292495748000000","observedTimeUnixNano":1795292495748000001,"severityNumber":9,
             "attributes":[{"key":"n","value":{"intValue":5}},{"key":"s","value":{"intValue":"200"}},{"key":"d","value":{"doubleValue":1}},{"key":"big","value":{"intValue":-9007199254740993}}]}
            """);

        Assert.Equal(1795292495748000000UL, record.TimeUnixNano);
        Assert.Equal(1795292495748000001UL, record.ObservedTimeUnixNano);
        Assert.Equal(SeverityNumber.Info, record.SeverityNumber);
        Assert.Equal([5L, 200L], record.Attributes.Take(2).Select(a => a.Value.IntValue));
        Assert.Equal(1.0, record.Attributes[2].Value.DoubleValue);
        Assert.Equal(-9007199254740993L, record.Attributes[3].Value.IntValue);
    }

    [Theory]
    [InlineData("\"traceId\":\"d23f365c12ebaa368a54804f40d6f05f\",\"spanId\":\"28DC533D5BD00209\"")]
    [InlineData("\"traceId\":\"0j82XBLrqjaKVIBPQNbwXw==\",\"spanId\":\"KNxTPVvQAgk=\"")]
    [InlineData("\"trace_id\":\"d23f365c12ebaa368a54804f40d6f05f\",\"span_id\":\"28dc533d5bd00209\"")]
    public void TraceIds_AreReadAsHexOrBase64(string ids)
    {
        var record = OneRecord("{" + ids + "}");

        Assert.Equal("d23f365c12ebaa368a54804f40d6f05f", Convert.ToHexStringLower(record.TraceId.Span));
        Assert.Equal("28dc533d5bd00209", Convert.ToHexStringLower(record.SpanId.Span));
    }

    [Fact]
    public void SpanIds_OfSpansAndLinksAreHexToo()
    {
        var request = OtlpJsonReader.Read<ExportTraceServiceRequest>("""
            {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"d23f365c12ebaa368a54804f40d6f05f","spanId":"28dc533d5bd00209",
              "parentSpanId":"cd52606e3c14ed9e","name":"x","kind":1,
              "links":[{"traceId":"00000000000000000000000000000001","spanId":"0000000000000002"}]}]}]}]}
            """u8);

        var span = request.ResourceSpans[0].ScopeSpans[0].Spans[0];
        Assert.Equal("cd52606e3c14ed9e", Convert.ToHexStringLower(span.ParentSpanId.Span));
        Assert.Equal("0000000000000002", Convert.ToHexStringLower(span.Links[0].SpanId.Span));
    }

    [Fact]
    public void EmptyIds_NullBodiesAndUnknownFields_AreAccepted()
    {
        // Codex: empty-string ids and a null body; newer exporters add fields this proto does not know.
        var record = OneRecord("""
            {"traceId":"","spanId":"","body":null,"attributes":null,"futureField":{"nested":[1,2,{"x":null}]},"eventName":"e"}
            """);

        Assert.True(record.TraceId.IsEmpty);
        Assert.Null(record.Body);
        Assert.Equal("e", record.EventName);
    }

    [Fact]
    public void AByteOrderMark_IsSkipped()
    {
        var body = new byte[] { 0xEF, 0xBB, 0xBF }.Concat("""{"resourceLogs":[]}"""u8.ToArray()).ToArray();

        Assert.Empty(OtlpJsonReader.Read<ExportLogsServiceRequest>(body).ResourceLogs);
    }

    [Theory]
    [InlineData("", "the body is empty")]
    [InlineData(" \r\n", "the body is empty")]
    [InlineData("{", "malformed JSON at line 1, byte 2")]
    [InlineData("{\"resourceLogs\": [] } trailing", "malformed JSON at line 1, byte 23")]
    [InlineData("{\"resourceLogs\": [\n{\"scopeLogs\": [}]}", "malformed JSON at line 2")]
    [InlineData("[]", "expected a JSON object at the top level, found an array")]
    [InlineData("null", "expected a JSON object at the top level, found Null")]
    [InlineData("{\"resourceLogs\": {}}", "resourceLogs: expected an array, found an object")]
    [InlineData("{\"resourceLogs\": [1]}", "resourceLogs[0]: expected an object, found the number 1")]
    [InlineData("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{},{\"timeUnixNano\":\"abc\"}]}]}]}",
        "resourceLogs[0].scopeLogs[0].logRecords[1].timeUnixNano: expected an integer (a JSON number or a decimal string) in range, found the string \"abc\"")]
    [InlineData("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"attributes\":[{\"key\":\"a\",\"value\":{\"intValue\":5.5}}]}]}]}]}",
        "resourceLogs[0].scopeLogs[0].logRecords[0].attributes[0].value.intValue: expected an integer")]
    [InlineData("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"attributes\":[{\"key\":\"a\",\"value\":{\"intValue\":\"12345678901234567890\"}}]}]}]}]}",
        "attributes[0].value.intValue: expected an integer (a JSON number or a decimal string) in range")]
    [InlineData("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":\"zz\"}]}]}]}",
        "resourceLogs[0].scopeLogs[0].logRecords[0].traceId: expected a hex trace/span id or base64 bytes, found the string \"zz\"")]
    [InlineData("{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":1}]}}]}",
        "resourceLogs[0].resource.attributes[0].key: expected a string, found the number 1")]
    public void MalformedJson_SaysWhatAndWhere(string json, string expected)
    {
        var e = Assert.Throws<OtlpFormatException>(() => ReadLogs(json));

        Assert.StartsWith("Invalid OTLP/JSON ExportLogsServiceRequest: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void InvalidUtf8_IsRejected()
    {
        byte[] body = [.. "{\"resourceLogs\":[{\"schemaUrl\":\""u8, 0xC3, 0x28, .. "\"}]}"u8];

        var e = Assert.Throws<OtlpFormatException>(() => OtlpJsonReader.Read<ExportLogsServiceRequest>(body));

        Assert.Equal("Invalid OTLP/JSON ExportLogsServiceRequest: the body is not valid UTF-8 (byte 31).", e.Message);
    }

    [Fact]
    public void MetricsShapes_AreCheckedToo()
    {
        var e = Assert.Throws<OtlpFormatException>(() => OtlpJsonReader.Read<ExportMetricsServiceRequest>("""
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","histogram":{"dataPoints":[{"bucketCounts":"3"}]}}]}]}]}
            """u8));

        Assert.Equal("Invalid OTLP/JSON ExportMetricsServiceRequest: resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].bucketCounts: " +
            "expected an array, found the string \"3\"", e.Message);
    }

    [Fact]
    public void TruncatedProtobuf_IsRejectedWithItsSize()
    {
        var body = File.ReadAllBytes(Requests(Claude, "c-tool-use-protobuf-traces", "logs")[0]);

        var e = Assert.Throws<OtlpFormatException>(() => OtlpRequestReader.Read<ExportLogsServiceRequest>(body.AsSpan(0, body.Length / 2), OtlpEncoding.Protobuf));

        Assert.StartsWith($"Invalid OTLP/protobuf ExportLogsServiceRequest ({body.Length / 2} bytes): ", e.Message);
        Assert.IsType<InvalidProtocolBufferException>(e.InnerException);
    }

    [Fact]
    public void JsonSentAsProtobuf_IsRejected()
    {
        var body = File.ReadAllBytes(Requests(Claude, "a-simple-prompt-json", "logs")[0]);

        Assert.Throws<OtlpFormatException>(() => OtlpRequestReader.Read<ExportLogsServiceRequest>(body, OtlpEncoding.Protobuf));
    }

    [Theory]
    [InlineData("application/json", OtlpEncoding.Json)]
    [InlineData("application/json; charset=utf-8", OtlpEncoding.Json)]
    [InlineData("Application/X-Protobuf", OtlpEncoding.Protobuf)]
    [InlineData("application/protobuf", OtlpEncoding.Protobuf)]
    [InlineData("text/plain", null)]
    [InlineData(null, null)]
    public void ContentTypes_MapToEncodings(string? contentType, OtlpEncoding? expected)
        => Assert.Equal(expected, OtlpRequestReader.EncodingOf(contentType));
}
