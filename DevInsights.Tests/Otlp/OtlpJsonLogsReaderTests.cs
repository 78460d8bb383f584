using System.Text;
using DevInsights.Core.Otlp;
using OpenTelemetry.Proto.Collector.Logs.V1;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Otlp;

/// <summary>The hand-written logs reader gives exactly what Google's parser gives, for every form OTLP/JSON allows,
/// and hands everything else back to the general reader.</summary>
public sealed class OtlpJsonLogsReaderTests
{
    private static string Logs(string recordJson, string resourceJson = "{}", string scopeJson = "{}") =>
        $$"""{"resourceLogs":[{"resource":{{resourceJson}},"scopeLogs":[{"scope":{{scopeJson}},"logRecords":[{{recordJson}}]}]}]}""";

    private static void AssertReadAsByParser(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var fast = OtlpJsonLogsReader.TryRead(bytes);
        Assert.NotNull(fast);
        Assert.Equal(OtlpJsonReader.ReadWithParser<ExportLogsServiceRequest>(bytes), fast);
    }

    public static TheoryData<string, string> FixtureLogs()
    {
        var data = new TheoryData<string, string>();
        foreach (var scenario in ClaudeScenarios) data.Add(Claude, scenario);
        foreach (var scenario in CodexScenarios) data.Add(Codex, scenario);
        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureLogs))]
    public void RealExports_ReadLikeTheParser(string cli, string scenario)
    {
        var bodies = Requests(cli, scenario, "logs").Where(f => f.EndsWith(".json", StringComparison.Ordinal)).ToList();
        foreach (var body in bodies) AssertReadAsByParser(File.ReadAllText(body));
    }

    [Theory]
    // Field names in lowerCamelCase or as in the .proto; 64-bit integers as numbers or strings.
    [InlineData("""{"timeUnixNano":"1795292495748000000","observedTimeUnixNano":1795292495748000001,"severityNumber":9,"severityText":"INFO"}""")]
    [InlineData("""{"time_unix_nano":1795292495748000000,"observed_time_unix_nano":"1795292495748000001","severity_number":9,"severity_text":"INFO"}""")]
    // Enums as names.
    [InlineData("""{"severityNumber":"SEVERITY_NUMBER_WARN"}""")]
    [InlineData("""{"severity_number":"SEVERITY_NUMBER_UNSPECIFIED"}""")]
    // Hex ids in either case, base64 ids, snake_case id names, and flags as a number or a string.
    [InlineData("""{"traceId":"d23f365c12ebaa368a54804f40d6f05f","spanId":"28DC533D5BD00209","flags":1}""")]
    [InlineData("""{"traceId":"0j82XBLrqjaKVIBPQNbwXw==","spanId":"KNxTPVvQAgk=","flags":"257"}""")]
    [InlineData("""{"trace_id":"d23f365c12ebaa368a54804f40d6f05f","span_id":"28dc533d5bd00209"}""")]
    [InlineData("""{"traceId":"","spanId":""}""")]
    // Every AnyValue kind, in both spellings; ints as numbers (long ones exactly), strings, negative.
    [InlineData("""{"body":{"stringValue":"hé \"quoted\" \u00e9 😀"},"attributes":[{"key":"s","value":{"string_value":"x"}},{"key":"b","value":{"boolValue":true}},{"key":"b2","value":{"bool_value":false}}]}""")]
    [InlineData("""{"attributes":[{"key":"i","value":{"intValue":5}},{"key":"i2","value":{"int_value":"-200"}},{"key":"big","value":{"intValue":-9007199254740993}},{"key":"big2","value":{"intValue":"9223372036854775807"}}]}""")]
    [InlineData("""{"attributes":[{"key":"d","value":{"doubleValue":1}},{"key":"d2","value":{"double_value":-2.5e-3}},{"key":"d3","value":{"doubleValue":0.1}}]}""")]
    [InlineData("""{"attributes":[{"key":"bytes","value":{"bytesValue":"AAEC/w=="}},{"key":"bytes2","value":{"bytes_value":""}}]}""")]
    [InlineData("""{"attributes":[{"key":"a","value":{"arrayValue":{"values":[{"intValue":1},{"stringValue":"two"},{"arrayValue":{}}]}}},{"key":"a2","value":{"array_value":{"values":[]}}}]}""")]
    [InlineData("""{"attributes":[{"key":"kv","value":{"kvlistValue":{"values":[{"key":"k","value":{"doubleValue":1.5}},{"key":"empty","value":{}}]}}},{"key":"kv2","value":{"kvlist_value":{}}}]}""")]
    // Empty values, a key without value, dropped counts, event name, unknown fields (skipped whatever their shape).
    [InlineData("""{"attributes":[{"key":"none","value":{}},{"key":"novalue"}],"droppedAttributesCount":3,"eventName":"claude_code.api_request"}""")]
    [InlineData("""{"dropped_attributes_count":"2","event_name":"x","futureField":{"a":[1,{"b":null}]},"another":null}""")]
    [InlineData("""{}""")]
    // Nulls clear their field, even one set before.
    [InlineData("""{"body":null,"attributes":null,"timeUnixNano":null,"severityNumber":null,"traceId":null}""")]
    [InlineData("""{"body":{"stringValue":"x"},"severityText":"WARN","body":null,"severityText":null}""")]
    public void EveryAllowedRecordForm_ReadsLikeTheParser(string record) => AssertReadAsByParser(Logs(record));

    [Theory]
    [InlineData("""{"attributes":[{"key":"service.name","value":{"stringValue":"claude-code"}}],"droppedAttributesCount":1}""",
        """{"name":"com.anthropic.claude_code.events","version":"2.1.328","attributes":[{"key":"k","value":{"intValue":"1"}}],"droppedAttributesCount":2}""")]
    [InlineData("""{"attributes":[],"dropped_attributes_count":"4","unknown":true}""", """{"dropped_attributes_count":0,"unknown":[]}""")]
    [InlineData("""{"entityRefs":[{"schemaUrl":"u","type":"host","idKeys":["host.id"],"descriptionKeys":["host.name","host.arch"]}]}""",
        """{"name":null,"attributes":null}""")]
    [InlineData("""{"entity_refs":[{"schema_url":"u","id_keys":[],"description_keys":[]},{}]}""", "null")]
    public void ResourceAndScopeForms_ReadLikeTheParser(string resource, string scope)
    {
        AssertReadAsByParser(Logs("{}", resource, scope));
        AssertReadAsByParser($$"""{"resource_logs":[{"resource":{{resource}},"schema_url":"https://s/1","scope_logs":[{"scope":{{scope}},"schemaUrl":"https://s/2","log_records":[{}]}]}]}""");
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"resourceLogs":[]}""")]
    [InlineData("""{"resourceLogs":[{},{"scopeLogs":[{},{"logRecords":[]}]}],"partialSuccess":1}""")]
    [InlineData(" \r\n {\"resourceLogs\" : [ ] } \n")]
    public void EmptyShapes_ReadLikeTheParser(string json) => AssertReadAsByParser(json);

    [Theory]
    // Nulls in the oneof or in arrays (errors), a second value in the oneof.
    [InlineData("""{"resourceLogs":[null]}""")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"a","value":{"stringValue":null}}]}]}]}]}""")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"a","value":{"stringValue":"x","intValue":1}}]}]}]}]}""")]
    // Numbers the parser reads its own way: fractions, exponents, signs and spaces in strings, doubles as strings.
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"a","value":{"intValue":5.0}}]}]}]}]}""")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1e3"}]}]}]}""")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"a","value":{"intValue":"+5"}}]}]}]}]}""")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"a","value":{"doubleValue":"NaN"}}]}]}]}]}""")]
    // Escaped lone surrogates and escaped ids.
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"a\ud800b"}}]}]}]}""")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"spanId":"28dc533d5bd0020\u0039"}]}]}]}""")]
    // Errors: the general reader says what and where.
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"abc"}]}]}]}""")]
    [InlineData("""{"resourceLogs":{}}""")]
    [InlineData("""{"resourceLogs":[1]}""")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"zz"}]}]}]}""")]
    [InlineData("""{"resourceLogs":[]} trailing""")]
    [InlineData("[]")]
    public void OtherForms_AreLeftToTheGeneralReader(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.Null(OtlpJsonLogsReader.TryRead(bytes));

        // And the dispatching reader then answers exactly as the general one does.
        ExportLogsServiceRequest? expected = null;
        string? expectedError = null;
        try
        {
            expected = OtlpJsonReader.ReadWithParser<ExportLogsServiceRequest>(bytes);
        }
        catch (OtlpFormatException e)
        {
            expectedError = e.Message;
        }

        if (expectedError is null) Assert.Equal(expected, OtlpJsonReader.Read<ExportLogsServiceRequest>(bytes));
        else Assert.Equal(expectedError, Assert.Throws<OtlpFormatException>(() => OtlpJsonReader.Read<ExportLogsServiceRequest>(bytes)).Message);
    }
}
