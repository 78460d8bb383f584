using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Reflection;

namespace DevInsights.Core.Otlp;

/// <summary>
/// Finds where an OTLP/JSON body goes wrong, for the error message only: walks the JSON beside the message
/// descriptors and reports the first value whose JSON type cannot fit its field, with its path
/// ("resourceLogs[0].scopeLogs[0].logRecords[3].timeUnixNano"). Runs only after the real parser failed.
/// </summary>
internal static class OtlpJsonDiagnostics
{
    /// <summary>Deeper than any OTLP message (AnyValue nesting included) a sane exporter sends.</summary>
    public const int MaxDepth = 128;

    private static readonly ConcurrentDictionary<MessageDescriptor, Dictionary<string, FieldDescriptor>> _fields = new();

    public static string? FindProblem(MessageDescriptor root, ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read())
            {
                return "the body is empty; expected a JSON object";
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return $"expected a JSON object at the top level, found {Found(ref reader)}";
            }

            var problem = CheckMessage(ref reader, root, "");
            while (problem is null && reader.Read())
            {
                // Utf8JsonReader throws on trailing content after the root value; nothing else to check here.
            }

            return problem;
        }
        catch (JsonException e)
        {
            return Describe(e);
        }
    }

    /// <summary>A syntax error as a person reads it: what is wrong, then 1-based line and byte.</summary>
    public static string Describe(JsonException e)
    {
        var what = e.Message;
        var cut = what.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            what = what[..cut].TrimEnd();
        }

        return e.LineNumber is { } line
            ? $"malformed JSON at line {line + 1}, byte {e.BytePositionInLine + 1}: {what}"
            : $"malformed JSON: {what}";
    }

    private static string? CheckMessage(ref Utf8JsonReader reader, MessageDescriptor descriptor, string path)
    {
        var fields = _fields.GetOrAdd(descriptor, Index);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var fieldPath = path.Length == 0 ? name : path + "." + name;
            if (!fields.TryGetValue(name, out var field))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            var problem = field.IsRepeated ? CheckRepeated(ref reader, field, fieldPath) : CheckValue(ref reader, field, fieldPath);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? CheckRepeated(ref Utf8JsonReader reader, FieldDescriptor field, string path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return $"{path}: expected an array, found {Found(ref reader)}";
        }

        for (var i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
        {
            var problem = CheckValue(ref reader, field, $"{path}[{i}]");
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? CheckValue(ref Utf8JsonReader reader, FieldDescriptor field, string path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var expected = field.FieldType switch
        {
            FieldType.Message or FieldType.Group => reader.TokenType == JsonTokenType.StartObject
                ? null
                : "an object",
            FieldType.String => reader.TokenType == JsonTokenType.String ? null : "a string",
            FieldType.Bool => reader.TokenType is JsonTokenType.True or JsonTokenType.False ? null : "true or false",
            FieldType.Bytes => reader.TokenType == JsonTokenType.String && Convert.TryFromBase64String(reader.GetString()!, new byte[reader.ValueSpan.Length], out _)
                ? null
                : "a hex trace/span id or base64 bytes",
            FieldType.Double or FieldType.Float => IsNumber(ref reader) ? null : "a number",
            FieldType.Enum => reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out _)
                || reader.TokenType == JsonTokenType.String
                ? null
                : "an enum number",
            _ => IsInteger(ref reader, field.FieldType) ? null : "an integer (a JSON number or a decimal string) in range",
        };
        if (expected is not null)
        {
            return $"{path}: expected {expected}, found {Found(ref reader)}";
        }

        return field.FieldType is FieldType.Message or FieldType.Group
            ? CheckMessage(ref reader, field.MessageType, path)
            : null;
    }

    private static bool IsNumber(ref Utf8JsonReader reader)
        => reader.TokenType == JsonTokenType.Number
            || (reader.TokenType == JsonTokenType.String
                && (reader.GetString() is "NaN" or "Infinity" or "-Infinity"
                    || double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)));

    private static bool IsInteger(ref Utf8JsonReader reader, FieldType type)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.String => reader.GetString()!,
            _ => null,
        };
        if (text is null)
        {
            return false;
        }

        // The proto3 mapping also allows an integral value in exponent or fraction form ("1e3", "5.0").
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value != decimal.Truncate(value))
        {
            return false;
        }

        return type switch
        {
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => value is >= int.MinValue and <= int.MaxValue,
            FieldType.UInt32 or FieldType.Fixed32 => value is >= 0 and <= uint.MaxValue,
            FieldType.UInt64 or FieldType.Fixed64 => value is >= 0 and <= ulong.MaxValue,
            _ => value is >= long.MinValue and <= long.MaxValue,
        };
    }

    private static string Found(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.True or JsonTokenType.False => reader.TokenType == JsonTokenType.True ? "true" : "false",
        JsonTokenType.Number => "the number " + Preview(System.Text.Encoding.UTF8.GetString(reader.ValueSpan)),
        JsonTokenType.String => "the string \"" + Preview(reader.GetString()!) + "\"",
        _ => reader.TokenType.ToString(),
    };

    private static string Preview(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static Dictionary<string, FieldDescriptor> Index(MessageDescriptor descriptor)
    {
        var byName = new Dictionary<string, FieldDescriptor>(StringComparer.Ordinal);
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            byName[field.JsonName] = field;
            byName[field.Name] = field;
        }

        return byName;
    }
}
