using System.Text.Json;
using System.Text.Json.Nodes;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Ingestion;
using DevInsights.Tests.Infrastructure;

namespace DevInsights.Tests.Ingestion;

public sealed class AttributeFilteringTests
{
    private static readonly AttributeLimits Limits = new(maxCount: 128, maxValueLength: 4096);

    [Theory]
    [InlineData("prompt", true)]
    [InlineData("PROMPT", true)]
    [InlineData("prompt.text", true)]
    [InlineData("gen_ai.prompt", true)]
    [InlineData("gen_ai.output.messages", true)]
    [InlineData("gen_ai.tool.call.arguments", true)]
    [InlineData("tool_parameters", true)]
    [InlineData("tool_input", true)]
    [InlineData("arguments", true)]
    [InlineData("output", true)]
    [InlineData("response", true)]
    [InlineData("message", true)]
    [InlineData("prompt_length", false)]
    [InlineData("response_length", false)]
    [InlineData("tool_input_size_bytes", false)]
    [InlineData("output_tokens", false)]
    [InlineData("message.uuid", false)]
    [InlineData("error.message", false)]
    [InlineData("tool_name", false)]
    [InlineData("prompt.id", false)]
    public void Content_keys_are_recognised_case_insensitively_by_name_or_last_segment(string key, bool content) =>
        Assert.Equal(content, ContentFilter.IsContentKey(key));

    [Theory]
    [InlineData("""{"prompt_length":6,"app.version":"2.1"}""", false)]
    [InlineData("""{"n":1,"nested":[{"ok":true,"Gen_AI.Prompt":"x"}]}""", true)]
    [InlineData("""{"pro\u006dpt":"escaped name"}""", true)]
    [InlineData("""{"r\u00e9sum\u00e9":1,"€":2}""", false)]
    public void Parsed_attributes_are_checked_for_content_keys_at_any_depth(string json, bool content)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(content, ContentFilter.ContainsContent(document.RootElement));
    }

    [Fact]
    public void Nested_content_is_removed_while_sizes_and_counts_stay()
    {
        var json = """{"prompt":"secret","prompt_length":6,"nested":{"Messages":[{"content":"hi"}],"count":2},"list":[{"output":"x","ok":true}]}""";
        Assert.Equal("""{"prompt_length":6,"nested":{"count":2},"list":[{"ok":true}]}""", ContentFilter.Apply(json, ShareLevel.Metadata));
        Assert.Equal("""{"prompt_length":6,"nested":{"count":2},"list":[{"ok":true}]}""", ContentFilter.Apply(json, ShareLevel.None));
        Assert.Same(json, ContentFilter.Apply(json, ShareLevel.Full));
        var clean = """{"prompt_length":6}""";
        Assert.Same(clean, ContentFilter.Apply(clean, ShareLevel.Metadata));
    }

    [Fact]
    public void Real_Claude_Code_and_Codex_log_attributes_lose_their_content_at_the_metadata_level()
    {
        // Every attribute of every log record in the fixtures, one object per record, as a transport would store it.
        var records = Directory.EnumerateFiles(Fixtures.Root, "*_logs.json", SearchOption.AllDirectories)
            .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!["resourceLogs"]!.AsArray())
            .SelectMany(r => r!["scopeLogs"]!.AsArray()).SelectMany(s => s!["logRecords"]!.AsArray())
            .Select(r => new JsonObject(r!["attributes"]!.AsArray().Select(a => KeyValuePair.Create((string)a!["key"]!, (JsonNode?)a["value"]!.DeepClone()))))
            .ToList();
        Assert.NotEmpty(records);
        var filtered = records.Select(r => ContentFilter.Apply(r.ToJsonString(), ShareLevel.Metadata)!).ToList();

        var all = string.Join('\n', filtered);
        Assert.Contains(records, r => r.ContainsKey("prompt") || r.ContainsKey("tool_parameters") || r.ContainsKey("response"));
        foreach (var key in new[] { "\"prompt\"", "\"prompt_text\"", "\"tool_parameters\"", "\"tool_input\"", "\"response\"", "\"arguments\"", "\"output\"" })
            Assert.DoesNotContain(key, all, StringComparison.Ordinal);
        Assert.Contains("\"prompt_length\"", all, StringComparison.Ordinal);
        Assert.Contains("\"tool_name\"", all, StringComparison.Ordinal);
        Assert.DoesNotContain("health check", all, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Small_clean_attributes_are_stored_as_sent()
    {
        using var doc = JsonDocument.Parse("""{ "a": 1, "b": "two" }""");
        Assert.Equal("""{ "a": 1, "b": "two" }""", Limits.Prepare(doc.RootElement, ShareLevel.Metadata));
    }

    [Fact]
    public void Counts_and_lengths_are_limited_at_every_depth()
    {
        var limits = new AttributeLimits(maxCount: 3, maxValueLength: 16);
        using var doc = JsonDocument.Parse("""
            {"a":"0123456789abcdefXYZ","b":{"c":1,"d":2,"e":3,"f":4},"g":[1,2,3,4,5],"h":"kept","i":"dropped"}
            """);
        Assert.False(limits.WithinLimits(doc.RootElement));
        Assert.Equal("""{"a":"0123456789abcdef","b":{"c":1,"d":2,"e":3},"g":[1,2,3]}""", limits.Prepare(doc.RootElement, ShareLevel.Full));
    }

    [Fact]
    public void Truncation_never_splits_a_surrogate_pair()
    {
        var limits = new AttributeLimits(maxCount: 10, maxValueLength: 16);
        var value = new string('a', 15) + "😀" + "tail";
        var stored = JsonNode.Parse(limits.Prepare(new JsonObject { ["v"] = value }, ShareLevel.Full)!)!;
        Assert.Equal(new string('a', 15), (string)stored["v"]!);
    }

    [Fact]
    public void An_escaped_string_is_measured_in_characters_not_bytes()
    {
        var limits = new AttributeLimits(maxCount: 10, maxValueLength: 16);
        using var doc = JsonDocument.Parse("""{"v":"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"}""");
        Assert.True(limits.WithinLimits(doc.RootElement)); // 10 characters, 60 raw bytes
    }

    [Fact]
    public void Attribute_limits_are_validated_at_start_naming_their_keys()
    {
        var options = new DevInsightsOptions { Ingestion = { MaxAttributeCount = 0, MaxAttributeValueLength = 8 } };
        var result = new DevInsightsOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("DevInsights:Ingestion:MaxAttributeCount ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("DevInsights:Ingestion:MaxAttributeValueLength ", StringComparison.Ordinal));
        Assert.True(new DevInsightsOptionsValidator().Validate(null, new DevInsightsOptions()).Succeeded);
        Assert.Equal((128, 4096), (new DevInsightsOptions().Ingestion.MaxAttributeCount, new DevInsightsOptions().Ingestion.MaxAttributeValueLength));
    }

    [Theory]
    [InlineData(null, new[] { "claude-sonnet-4-5" }, "claude-sonnet-4-5")]
    [InlineData("a,b", new[] { "b", "c", "a", "d" }, "a,b,c,d")]
    [InlineData(null, new string[0], null)]
    public void Models_are_appended_once_in_order_of_first_use(string? existing, string[] models, string? expected) =>
        Assert.Equal(expected, SessionDelta.MergeModels(existing, models));

    [Fact]
    public void The_model_list_never_grows_past_its_column()
    {
        var existing = string.Join(',', Enumerable.Range(0, 99).Select(i => $"model-{i:D3}")); // 99 × 9 + 98 = 989 characters
        Assert.Equal(989, existing.Length);
        Assert.Equal(existing + ",m-10", SessionDelta.MergeModels(existing, ["a-much-longer-model-name", "m-10"]));
    }
}
