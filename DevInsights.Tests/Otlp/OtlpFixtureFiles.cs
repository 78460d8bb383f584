using System.Text.Json;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Otlp;
using DevInsights.Tests.Infrastructure;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;

namespace DevInsights.Tests.Otlp;

/// <summary>The real OTLP requests of the fixture scenarios, read and converted the way a transport would.</summary>
internal static class OtlpFixtureFiles
{
    public const string Claude = "claude-code-2.1.328";
    public const string Codex = "codex-0.169.0";

    public static readonly string[] ClaudeScenarios =
    [
        "a-simple-prompt-json", "b-tool-use-json", "c-tool-use-protobuf-traces", "d-tool-denied-json", "e-overloaded-529-then-ok-json",
    ];

    public static readonly string[] CodexScenarios =
    [
        "a-simple-prompt-json", "b-shell-tool-json", "c-shell-tool-protobuf", "d-server-error-500-then-ok-json",
    ];

    public static readonly DateTime ReceivedAt = new(2026, 11, 21, 20, 30, 0, DateTimeKind.Utc);

    public static string Dir(string cli, string scenario) => Fixtures.PathOf(cli, scenario);

    /// <summary>The request bodies of one signal as received (.json or .pb, never the decoded copies), in arrival order.</summary>
    public static IReadOnlyList<string> Requests(string cli, string scenario, string signal)
        => Directory.GetFiles(Path.Combine(Dir(cli, scenario), "otlp"))
            .Where(f => f.EndsWith($"_{signal}.json", StringComparison.Ordinal) || f.EndsWith($"_{signal}.pb", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Reads a body with the reader its content type selects; ".decoded.json" files with the JSON reader.</summary>
    public static T Read<T>(string path)
        where T : class, IMessage<T>, new()
        => OtlpRequestReader.Read<T>(File.ReadAllBytes(path), path.EndsWith(".pb", StringComparison.Ordinal) ? OtlpEncoding.Protobuf : OtlpEncoding.Json);

    public static IReadOnlyList<OtlpLogsResult> ConvertLogs(string cli, string scenario, OtlpLogsConverter? converter = null)
    {
        converter ??= new OtlpLogsConverter();
        return Requests(cli, scenario, "logs").Select(f => converter.Convert(Read<ExportLogsServiceRequest>(f), ReceivedAt)).ToList();
    }

    public static IReadOnlyList<IngestEvent> Events(string cli, string scenario)
        => ConvertLogs(cli, scenario).SelectMany(r => r.Events).ToList();

    public static IReadOnlyList<OtlpMetricsResult> ConvertMetrics(string cli, string scenario)
    {
        var converter = new OtlpMetricsConverter(new CumulativeState(DateTime.MinValue));
        return Requests(cli, scenario, "metrics").Select(f => converter.Convert(Read<ExportMetricsServiceRequest>(f))).ToList();
    }

    public static JsonElement ClaudeStdout(string scenario)
        => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir(Claude, scenario), "stdout.json"))).RootElement;

    /// <summary>Codex's stdout events (one JSON object per line).</summary>
    public static IReadOnlyList<JsonElement> CodexStdout(string scenario)
        => File.ReadAllLines(Path.Combine(Dir(Codex, scenario), "stdout.jsonl"))
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToList();

    /// <summary>The rollout's <c>token_count</c> running totals, in file order.</summary>
    public static IReadOnlyList<JsonElement> RolloutTotals(string scenario)
    {
        var rollout = Directory.GetFiles(Path.Combine(Dir(Codex, scenario), "sessions"), "rollout-*.jsonl", SearchOption.AllDirectories).Single();
        return File.ReadAllLines(rollout)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("type").GetString() == "event_msg"
                && l.GetProperty("payload").GetProperty("type").GetString() == "token_count"
                && l.GetProperty("payload").TryGetProperty("info", out var info) && info.ValueKind == JsonValueKind.Object)
            .Select(l => l.GetProperty("payload").GetProperty("info").GetProperty("total_token_usage"))
            .ToList();
    }

    /// <summary>An attribute of an event, read back from its AttributesJson.</summary>
    public static JsonElement? Attribute(IngestEvent e, string key)
        => JsonDocument.Parse(e.AttributesJson!).RootElement.TryGetProperty(key, out var value) ? value : null;

    public static string? AttributeText(IngestEvent e, string key) => Attribute(e, key)?.ToString();
}
