using System.Text.Json;
using System.Text.Json.Serialization;
using DevInsights.Core.Identity;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Sessions;

namespace DevInsights.Web.Api;

/// <summary>One item of a <c>POST /api/v1/events</c> body that passed validation.</summary>
/// <param name="Client">The item's <c>client</c>, normalised, used only if its session has to be created.</param>
public sealed record ParsedEvent(int Index, IngestEvent Event, string? Client);

/// <summary>Why one item was refused: the first problem found, by field name ("$" for the item itself).</summary>
public sealed record EventRejection(int Index, string Field, string Error)
{
    /// <summary>The key of this error in problem details' <c>errors</c>: "[3].timestamp", or "[3]" for the item.</summary>
    [JsonIgnore]
    public string Key => Field == "$" ? $"[{Index}]" : $"[{Index}].{Field}";
}

/// <summary>Validates the items of an events batch one by one, straight from the parsed document, so a bad item
/// is refused with its index, field and reason while the others go on.</summary>
/// <remarks>Property names are matched exactly (camelCase); unknown properties are ignored so newer collectors
/// can send more. Optional strings that are empty count as absent.</remarks>
public static class EventItemParser
{
    public const int MaxSessionIdLength = 200;
    public const int MaxTypeLength = 100;
    public const int MaxNameLength = 200;

    /// <summary>The <c>sessionId</c> of an item when it is a usable one, else null (the item is refused later).</summary>
    public static string? SessionIdOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("sessionId"u8, out var v) && v.ValueKind == JsonValueKind.String
        && v.GetString() is { Length: > 0 and <= MaxSessionIdLength } id
            ? id
            : null;

    public static (ParsedEvent? Event, EventRejection? Rejection) Parse(JsonElement item, int index, AttributeLimits limits, ShareLevel shareLevel)
    {
        if (item.ValueKind != JsonValueKind.Object) return Reject(index, "$", "must be a JSON object.");
        string? sessionId = null, type = null, eventId = null, model = null, toolName = null, client = null, attributes = null;
        DateTime? timestamp = null;
        long input = 0, output = 0, cacheRead = 0, cacheCreation = 0;
        long? durationMs = null;
        double? costUsd = null;
        bool? success = null;

        foreach (var property in item.EnumerateObject())
        {
            if (FieldOf(property) is not { } field) continue;
            var v = property.Value;
            var error = field switch
            {
                "sessionId" => RequiredString(v, MaxSessionIdLength, out sessionId),
                "timestamp" => Timestamp(v, out timestamp),
                "type" => RequiredString(v, MaxTypeLength, out type),
                "eventId" => OptionalString(v, MaxNameLength, out eventId),
                "model" => OptionalString(v, MaxNameLength, out model),
                "toolName" => OptionalString(v, MaxNameLength, out toolName),
                "inputTokens" => Count(v, out input),
                "outputTokens" => Count(v, out output),
                "cacheReadTokens" => Count(v, out cacheRead),
                "cacheCreationTokens" => Count(v, out cacheCreation),
                "costUsd" => Cost(v, out costUsd),
                "durationMs" => Duration(v, out durationMs),
                "success" => Flag(v, out success),
                "client" => Client(v, out client),
                _ => Attributes(v, limits, shareLevel, out attributes),
            };
            if (error is not null) return Reject(index, field, error);
        }

        if (sessionId is null) return Reject(index, "sessionId", "is required.");
        if (timestamp is null) return Reject(index, "timestamp", "is required.");
        if (type is null) return Reject(index, "type", "is required.");
        var ev = new IngestEvent
        {
            ClientSessionId = sessionId,
            Timestamp = timestamp.Value,
            Type = type,
            ClientEventId = eventId,
            Model = model,
            ToolName = toolName,
            InputTokens = input,
            OutputTokens = output,
            CacheReadTokens = cacheRead,
            CacheCreationTokens = cacheCreation,
            CostUsd = costUsd,
            DurationMs = durationMs,
            Success = success,
            AttributesJson = attributes,
        };
        return (new ParsedEvent(index, ev, client), null);
    }

    private static readonly string[] Fields =
    [
        "sessionId", "timestamp", "type", "eventId", "model", "toolName", "inputTokens", "outputTokens", "cacheReadTokens",
        "cacheCreationTokens", "costUsd", "durationMs", "success", "client", "attributes",
    ];

    // Compares the raw UTF-8 name in place: no string per property on a 1,000-event body.
    private static string? FieldOf(JsonProperty property)
    {
        foreach (var name in Fields)
            if (property.NameEquals(name)) return name;
        return null;
    }

    private static (ParsedEvent?, EventRejection?) Reject(int index, string field, string error) => (null, new EventRejection(index, field, error));

    private static string? RequiredString(JsonElement v, int maxLength, out string? value)
    {
        value = null;
        if (v.ValueKind != JsonValueKind.String) return "must be a non-empty string.";
        var s = v.GetString()!;
        if (s.Length == 0) return "must be a non-empty string.";
        if (s.Length > maxLength) return $"must be at most {maxLength} characters.";
        value = s;
        return null;
    }

    private static string? OptionalString(JsonElement v, int maxLength, out string? value)
    {
        value = null;
        if (v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String && v.GetString()!.Length == 0) return null;
        return RequiredString(v, maxLength, out value) is null ? null : $"must be a string of at most {maxLength} characters.";
    }

    private static string? Timestamp(JsonElement v, out DateTime? value)
    {
        value = null;
        const string error = "must be an ISO 8601 date and time with an offset or Z, e.g. 2026-01-31T09:30:00.123Z.";
        if (v.ValueKind != JsonValueKind.String || !v.TryGetDateTimeOffset(out var parsed)) return error;
        // The parser assumes the server's zone when the offset is missing: telemetry from elsewhere would shift silently.
        var s = v.GetString()!;
        var time = s.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        if (time < 0 || s.AsSpan(time).IndexOfAny('Z', 'z') < 0 && s.AsSpan(time).IndexOfAny('+', '-') < 0) return error;
        value = parsed.UtcDateTime;
        return null;
    }

    private static string? Count(JsonElement v, out long value)
    {
        value = 0;
        if (v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out value) || value < 0)
        {
            value = 0;
            return "must be a non-negative integer.";
        }
        return null;
    }

    private static string? Cost(JsonElement v, out double? value)
    {
        value = null;
        if (v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d) || d < 0)
            return "must be a non-negative number (US dollars).";
        value = d;
        return null;
    }

    private static string? Duration(JsonElement v, out long? value)
    {
        value = null;
        if (v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d) || d < 0 || d > long.MaxValue / 2)
            return "must be a non-negative number of milliseconds.";
        // Clients that time with a high-resolution clock send fractions; the column holds whole milliseconds.
        value = v.TryGetInt64(out var whole) ? whole : (long)Math.Round(d, MidpointRounding.AwayFromZero);
        return null;
    }

    private static string? Flag(JsonElement v, out bool? value)
    {
        value = v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
        return value is null && v.ValueKind != JsonValueKind.Null ? "must be true, false or null." : null;
    }

    private static string? Client(JsonElement v, out string? value)
    {
        value = null;
        if (v.ValueKind == JsonValueKind.Null) return null;
        var s = v.ValueKind == JsonValueKind.String ? v.GetString()!.ToLowerInvariant() : null;
        if (s is null || !ClientKind.All.Contains(s)) return $"must be one of {string.Join(", ", ClientKind.All)}.";
        value = s;
        return null;
    }

    private static string? Attributes(JsonElement v, AttributeLimits limits, ShareLevel shareLevel, out string? value)
    {
        value = null;
        if (v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null)) return "must be a JSON object.";
        value = limits.Prepare(v, shareLevel);
        return null;
    }
}
