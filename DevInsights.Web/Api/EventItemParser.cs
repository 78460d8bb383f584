using System.Text.Json;
using System.Runtime.InteropServices;
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
/// is refused with its index, field and reason while the others go on. One instance serves one request.</summary>
/// <remarks>Property names are matched exactly (camelCase) on their UTF-8 bytes; unknown properties are ignored so
/// newer collectors can send more. Optional strings that are empty count as absent. Values that repeat from item to
/// item (session id, type, model, tool) are decoded once per request.</remarks>
public sealed class EventItemParser(AttributeLimits limits, ShareLevel shareLevel)
{
    public const int MaxSessionIdLength = 200;
    public const int MaxTypeLength = 100;
    public const int MaxNameLength = 200;

    private enum Field { SessionId, Timestamp, Type, EventId, Model, ToolName, InputTokens, OutputTokens, CacheReadTokens, CacheCreationTokens, CostUsd, DurationMs, Success, Client, Attributes }

    // Indexed by Field; the wire names double as the field names in errors.
    private static readonly (byte[] Utf8, string Name)[] Fields = Enum.GetValues<Field>()
        .Select(f => string.Concat(char.ToLowerInvariant(f.ToString()[0]).ToString(), f.ToString()[1..]))
        .Select(name => (System.Text.Encoding.UTF8.GetBytes(name), name)).ToArray();

    private readonly Recent _sessionIds = new();
    private readonly Recent _types = new();
    private readonly Recent _models = new();
    private readonly Recent _tools = new();

    /// <summary>The <c>sessionId</c> of an item when it is a usable one, else null (the item is refused later).</summary>
    public string? SessionIdOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("sessionId"u8, out var v) && v.ValueKind == JsonValueKind.String
        && _sessionIds.Get(v) is { Length: > 0 and <= MaxSessionIdLength } id
            ? id
            : null;

    public (ParsedEvent? Event, EventRejection? Rejection) Parse(JsonElement item, int index)
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
                Field.SessionId => RequiredString(v, MaxSessionIdLength, _sessionIds, out sessionId),
                Field.Timestamp => Timestamp(v, out timestamp),
                Field.Type => RequiredString(v, MaxTypeLength, _types, out type),
                Field.EventId => OptionalString(v, MaxNameLength, null, out eventId),
                Field.Model => OptionalString(v, MaxNameLength, _models, out model),
                Field.ToolName => OptionalString(v, MaxNameLength, _tools, out toolName),
                Field.InputTokens => Count(v, out input),
                Field.OutputTokens => Count(v, out output),
                Field.CacheReadTokens => Count(v, out cacheRead),
                Field.CacheCreationTokens => Count(v, out cacheCreation),
                Field.CostUsd => Cost(v, out costUsd),
                Field.DurationMs => Duration(v, out durationMs),
                Field.Success => Flag(v, out success),
                Field.Client => Client(v, out client),
                _ => Attributes(v, out attributes),
            };
            if (error is not null) return Reject(index, Fields[(int)field].Name, error);
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

    private static Field? FieldOf(JsonProperty property)
    {
        for (var i = 0; i < Fields.Length; i++)
            if (property.NameEquals(Fields[i].Utf8)) return (Field)i;
        return null;
    }

    private static (ParsedEvent?, EventRejection?) Reject(int index, string field, string error) => (null, new EventRejection(index, field, error));

    private static string? RequiredString(JsonElement v, int maxLength, Recent? recent, out string? value)
    {
        value = null;
        if (v.ValueKind != JsonValueKind.String) return "must be a non-empty string.";
        var s = recent is null ? v.GetString()! : recent.Get(v);
        if (s.Length == 0) return "must be a non-empty string.";
        if (s.Length > maxLength) return $"must be at most {maxLength} characters.";
        value = s;
        return null;
    }

    private static string? OptionalString(JsonElement v, int maxLength, Recent? recent, out string? value)
    {
        value = null;
        if (v.ValueKind == JsonValueKind.Null || v.ValueEquals(""u8)) return null;
        return RequiredString(v, maxLength, recent, out value) is null ? null : $"must be a string of at most {maxLength} characters.";
    }

    private static string? Timestamp(JsonElement v, out DateTime? value)
    {
        value = null;
        const string error = "must be an ISO 8601 date and time with an offset or Z, e.g. 2026-01-31T09:30:00.123Z.";
        if (v.ValueKind != JsonValueKind.String || !v.TryGetDateTimeOffset(out var parsed)) return error;
        // The parser assumes the server's zone when the offset is missing: telemetry from elsewhere would shift silently.
        // Checked on the raw bytes (no string per event); an escaped value is decoded first.
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(v);
        if (raw.Contains((byte)'\\')) raw = System.Text.Encoding.UTF8.GetBytes(v.GetString()!);
        var time = raw.IndexOfAny((byte)'T', (byte)'t');
        if (time < 0 || raw[time..].IndexOfAny((byte)'Z', (byte)'z') < 0 && raw[time..].IndexOfAny((byte)'+', (byte)'-') < 0) return error;
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

    private string? Attributes(JsonElement v, out string? value)
    {
        value = null;
        if (v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null)) return "must be a JSON object.";
        value = limits.Prepare(v, shareLevel);
        return null;
    }

    /// <summary>The last string decoded for one field: consecutive items usually repeat it.</summary>
    private sealed class Recent
    {
        private byte[]? _utf8;
        private string? _value;

        public string Get(JsonElement v)
        {
            if (_utf8 is not null && v.ValueEquals(_utf8)) return _value!;
            _value = v.GetString()!;
            _utf8 = System.Text.Encoding.UTF8.GetBytes(_value);
            return _value;
        }
    }
}
