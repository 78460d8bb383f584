using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using Microsoft.Extensions.Options;

namespace DevInsights.Core.Ingestion;

/// <summary>Bounds what one event's attributes may hold, and prepares attributes for storage: content filtered
/// for the developer's share level (<see cref="ContentFilter"/>), then limited, then serialised.</summary>
/// <remarks>Every object (and array) keeps at most <see cref="MaxCount"/> entries, in order; every string
/// value is cut to <see cref="MaxValueLength"/> characters. Limits apply at any depth. The common case, small
/// attributes without content, is checked on the parsed element without allocating and stored as sent.</remarks>
public sealed class AttributeLimits
{
    public AttributeLimits(int maxCount, int maxValueLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxValueLength, 1);
        MaxCount = maxCount;
        MaxValueLength = maxValueLength;
    }

    public AttributeLimits(IOptions<DevInsightsOptions> options)
        : this(options.Value.Ingestion.MaxAttributeCount, options.Value.Ingestion.MaxAttributeValueLength)
    {
    }

    public int MaxCount { get; }
    public int MaxValueLength { get; }

    /// <summary>Attributes as stored: null for null/undefined; otherwise filtered and limited JSON.</summary>
    /// <exception cref="ArgumentException">The element is neither an object nor null.</exception>
    public string? Prepare(JsonElement attributes, ShareLevel level)
    {
        if (attributes.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        if (attributes.ValueKind != JsonValueKind.Object)
            throw new ArgumentException("Attributes must be a JSON object.", nameof(attributes));
        var filter = !ContentFilter.KeepsContent(level) && ContentFilter.ContainsContent(attributes);
        if (!filter && WithinLimits(attributes)) return attributes.GetRawText();
        return Prepare(JsonObject.Create(attributes), level);
    }

    /// <summary>Filters and limits <paramref name="attributes"/> in place and serialises it.</summary>
    public string? Prepare(JsonObject? attributes, ShareLevel level)
    {
        if (attributes is null) return null;
        if (!ContentFilter.KeepsContent(level)) ContentFilter.Strip(attributes);
        Apply(attributes);
        return attributes.ToJsonString();
    }

    /// <summary>True when no object or array has too many entries and no string is too long, at any depth.</summary>
    public bool WithinLimits(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = 0;
                foreach (var property in element.EnumerateObject())
                    if (++properties > MaxCount || !WithinLimits(property.Value)) return false;
                return true;
            case JsonValueKind.Array:
                if (element.GetArrayLength() > MaxCount) return false;
                foreach (var item in element.EnumerateArray())
                    if (!WithinLimits(item)) return false;
                return true;
            case JsonValueKind.String:
                // The raw UTF-8 (quotes and escapes included) is never shorter than the string: decode only when in doubt.
                return JsonMarshal.GetRawUtf8Value(element).Length - 2 <= MaxValueLength
                    || element.GetString()!.Length <= MaxValueLength;
            default:
                return true;
        }
    }

    /// <summary>Drops entries beyond <see cref="MaxCount"/> and truncates long strings in place; returns how many
    /// entries were dropped or values cut.</summary>
    public int Apply(JsonNode? node)
    {
        var changes = 0;
        switch (node)
        {
            case JsonObject obj:
                for (; obj.Count > MaxCount; changes++) obj.RemoveAt(obj.Count - 1);
                for (var i = 0; i < obj.Count; i++)
                {
                    var value = obj.GetAt(i).Value;
                    if (Truncated(value) is { } cut) { obj.SetAt(i, cut); changes++; }
                    else changes += Apply(value);
                }
                break;
            case JsonArray array:
                for (; array.Count > MaxCount; changes++) array.RemoveAt(array.Count - 1);
                for (var i = 0; i < array.Count; i++)
                {
                    if (Truncated(array[i]) is { } cut) { array[i] = cut; changes++; }
                    else changes += Apply(array[i]);
                }
                break;
        }
        return changes;
    }

    /// <summary>The value cut to the limit, or null when it is no string or short enough.</summary>
    private string? Truncated(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { } s && s.Length > MaxValueLength
            ? Truncate(s)
            : null;

    // Never split a surrogate pair: a lone half would not serialise as valid UTF-8.
    private string Truncate(string s) =>
        s[..(char.IsHighSurrogate(s[MaxValueLength - 1]) ? MaxValueLength - 1 : MaxValueLength)];
}
