using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DevInsights.Core.Identity;

namespace DevInsights.Core.Ingestion;

/// <summary>Drops conversation content (prompt text, tool inputs and outputs, responses, messages) from event
/// attributes unless the developer shares <see cref="ShareLevel.Full"/>. Sizes, lengths and counts
/// (<c>prompt_length</c>, <c>tool_input_size_bytes</c>...) are metadata and stay.</summary>
/// <remarks>
/// A key is content when, compared case-insensitively, either the whole key or its last dot-separated segment is
/// one of <see cref="ContentNames"/> (so <c>gen_ai.prompt</c>, <c>gen_ai.output.messages</c> and
/// <c>gen_ai.tool.call.arguments</c> match), or the whole key is one of <see cref="WholeKeyNames"/>. The
/// generic words "message" and "text" only match as whole keys, so diagnostics such as <c>error.message</c>
/// stay. Nested objects and arrays are filtered too, at any depth. Names come from what Claude Code, Codex and
/// Gemini CLI actually send (see TELEMETRY.md) plus the OpenTelemetry GenAI conventions.
/// </remarks>
public static class ContentFilter
{
    /// <summary>Content when the whole key or its last dot-separated segment matches.</summary>
    public static readonly FrozenSet<string> ContentNames = new[]
    {
        // Prompts and instructions.
        "prompt", "prompt_text", "user_prompt", "system_prompt", "system_instructions", "request_text",
        // Tool calls: their inputs and what they returned.
        "tool_input", "tool_parameters", "tool_params", "tool_args", "tool_arguments", "function_args",
        "arguments", "args", "input", "tool_output", "tool_result", "function_response", "output",
        "command", "full_command", "file_path", "old_string", "new_string", "patch", "diff", "stdout", "stderr",
        // Model output.
        "response", "response_text", "assistant_response", "completion", "content", "contents", "messages",
        "thinking", "reasoning", "reasoning_summary",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Content only when they are the whole key.</summary>
    public static readonly FrozenSet<string> WholeKeyNames = new[]
    {
        "message", "text", "prompt.text", "gen_ai.tool.call.result",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether attributes of a developer with this share level keep their content.</summary>
    public static bool KeepsContent(ShareLevel level) => level == ShareLevel.Full;

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> ContentNamesBySpan =
        ContentNames.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> WholeKeyNamesBySpan =
        WholeKeyNames.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool IsContentKey(string key) => IsContentKey(key.AsSpan());

    public static bool IsContentKey(ReadOnlySpan<char> key)
    {
        if (ContentNamesBySpan.Contains(key) || WholeKeyNamesBySpan.Contains(key)) return true;
        var dot = key.LastIndexOf('.');
        return dot >= 0 && dot < key.Length - 1 && ContentNamesBySpan.Contains(key[(dot + 1)..]);
    }

    /// <summary>True when <paramref name="element"/> holds a content key at any depth (no allocation).</summary>
    public static bool ContainsContent(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    if (IsContentKey(property) || ContainsContent(property.Value)) return true;
                return false;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    if (ContainsContent(item)) return true;
                return false;
            default:
                return false;
        }
    }

    /// <summary>Decodes the property name onto the stack rather than into a string: this runs for every attribute of
    /// every event.</summary>
    private static bool IsContentKey(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        // Escaped names take the string route, and so do long ones rather than a large stack buffer; UTF-8 never
        // decodes to more chars than it has bytes.
        if (raw.Length > 256 || raw.Contains((byte)'\\')) return IsContentKey(property.Name);
        Span<char> name = stackalloc char[256];
        return IsContentKey(name[..Encoding.UTF8.GetChars(raw, name)]);
    }

    /// <summary>Removes content keys from <paramref name="node"/> at any depth; returns how many were removed.</summary>
    public static int Strip(JsonNode? node)
    {
        var removed = 0;
        switch (node)
        {
            case JsonObject obj:
                List<string>? doomed = null;
                foreach (var (key, value) in obj)
                {
                    if (IsContentKey(key)) (doomed ??= []).Add(key);
                    else removed += Strip(value);
                }
                if (doomed is not null)
                {
                    foreach (var key in doomed) obj.Remove(key);
                    removed += doomed.Count;
                }
                break;
            case JsonArray array:
                foreach (var item in array) removed += Strip(item);
                break;
        }
        return removed;
    }

    /// <summary>Filters a serialised attributes object for a developer's share level; returns it unchanged when
    /// nothing is content (or the level keeps content), and null for null or unparsable input.</summary>
    public static string? Apply(string? attributesJson, ShareLevel level)
    {
        if (attributesJson is null || KeepsContent(level)) return attributesJson;
        JsonNode? node;
        try { node = JsonNode.Parse(attributesJson); }
        catch (JsonException) { return null; }
        return Strip(node) == 0 ? attributesJson : node?.ToJsonString();
    }
}
