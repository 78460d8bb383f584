using System.Collections.Frozen;

namespace DevInsights.Core.Otlp;

/// <summary>Attributes that carry conversation content rather than facts about it (their lengths and sizes
/// are separate attributes and are always kept).</summary>
public static class OtlpContent
{
    public static readonly FrozenSet<string> AttributeKeys = FrozenSet.ToFrozenSet(
    [
        "prompt", "prompt_text", "user_prompt", "response", "response_text", "request_text",
        "tool_input", "tool_parameters", "tool_output", "arguments", "output", "function_args",
    ], StringComparer.Ordinal);
}
