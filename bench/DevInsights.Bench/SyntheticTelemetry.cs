using System.Globalization;

namespace DevInsights.Bench;

/// <summary>One generated event's values, shaped like Claude Code telemetry.</summary>
public readonly record struct SyntheticEvent(
    string Type, string? Tool, string? Model, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheCreationTokens,
    double? CostUsd, long? DurationMs, bool? Success, string Attributes);

/// <summary>The events every part writes, so that the raw SQLite ceiling and the app are measured on the same rows:
/// a session's events cycle through api requests, tool decisions and results and prompts; ~300 B of attribute JSON.</summary>
public static class SyntheticTelemetry
{
    private const int AttributeVariants = 1024;

    private static readonly string[] Types = ["api_request", "tool_decision", "tool_result", "tool_result", "user_prompt", "api_request"];
    private static readonly string[] Tools = ["Bash", "Read", "Edit", "Grep", "Write", "Glob"];
    // Prepared ahead so that string building is not what is measured.
    private static readonly string[] Attributes = Enumerable.Range(0, AttributeVariants).Select(BuildAttributes).ToArray();

    public static double AverageAttributesLength { get; } = Attributes.Average(a => a.Length);

    /// <summary>The <paramref name="sequence"/>-th event of session number <paramref name="session"/>.</summary>
    public static SyntheticEvent For(int session, int sequence)
    {
        var kind = Types[sequence % Types.Length];
        var isRequest = kind == "api_request";
        var isTool = kind.StartsWith("tool_", StringComparison.Ordinal);
        return new SyntheticEvent(
            kind,
            isTool ? Tools[sequence % Tools.Length] : null,
            isRequest ? "claude-sonnet-4-5" : null,
            isRequest ? 1200 + sequence % 800 : 0,
            isRequest ? 300 + sequence % 500 : 0,
            isRequest ? 40_000 + sequence : 0,
            isRequest ? sequence % 3000 : 0,
            isRequest ? 0.0123 + sequence % 100 / 10_000.0 : null,
            isRequest || isTool ? 80 + sequence % 4000 : null,
            isTool ? sequence % 17 != 0 : null,
            Attributes[(session * 31 + sequence) % AttributeVariants]);
    }

    private static string BuildAttributes(int i) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"session.id":"{{Guid.NewGuid()}}","user.id":"{{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}}{{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}}","organization.id":"{{Guid.NewGuid()}}","terminal.type":"{{(i % 3 == 0 ? "vscode" : "xterm-256color")}}","app.version":"2.1.328","event.sequence":{{i}},"prompt.id":"{{Guid.NewGuid()}}"}""");
}
