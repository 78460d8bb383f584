using System.Globalization;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;

namespace DevInsights.Core.Otlp;

/// <summary>One record or data point cannot be converted; the converters count it as rejected and go on.</summary>
internal sealed class OtlpRecordException(string message) : Exception(message)
{
    /// <summary>Failures that belong to one item's content: ours, and the JSON writer's on text that is not
    /// valid UTF-16 (a lone surrogate escaped in OTLP/JSON). Anything else is a bug and propagates.</summary>
    public static bool IsRecordProblem(Exception e) => e is OtlpRecordException or ArgumentException or InvalidOperationException;
}

/// <summary>Typed, lenient reads of OTLP attributes. Clients disagree on types (Claude Code sends
/// <c>success</c> as the string "true", Codex most numbers as strings), so every reader accepts the
/// sensible spellings of its type.</summary>
internal static class OtlpAttributes
{
    public static AnyValue? Find(RepeatedField<KeyValue> attributes, string key)
    {
        foreach (var kv in attributes)
        {
            if (kv.Key == key)
            {
                return kv.Value;
            }
        }

        return null;
    }

    /// <summary>A scalar as text (numbers and booleans in invariant form); null when absent, empty or structured.</summary>
    public static string? String(RepeatedField<KeyValue> attributes, string key) => Text(Find(attributes, key));

    public static string? Text(AnyValue? value)
    {
        var text = value?.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => value.StringValue,
            AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            _ => null,
        };
        return string.IsNullOrEmpty(text) ? null : Clean(text);
    }

    /// <summary>Replaces lone surrogates (OTLP/JSON may escape one, "\ud800") with U+FFFD: PostgreSQL rejects
    /// them in text and jsonb, and one such value must not fail the writer's whole batch.</summary>
    public static string Clean(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }

    /// <summary>The first non-empty value among <paramref name="keys"/>, looked up in each attribute set in turn.</summary>
    public static string? First(RepeatedField<KeyValue>? primary, RepeatedField<KeyValue>? secondary, params ReadOnlySpan<string> keys)
    {
        foreach (var set in (ReadOnlySpan<RepeatedField<KeyValue>?>)[primary, secondary])
        {
            if (set is null)
            {
                continue;
            }

            foreach (var key in keys)
            {
                if (String(set, key) is { } value)
                {
                    return value;
                }
            }
        }

        return null;
    }

    public static bool? Bool(RepeatedField<KeyValue> attributes, string key)
    {
        var value = Find(attributes, key);
        return value?.ValueCase switch
        {
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
            AnyValue.ValueOneofCase.IntValue => value.IntValue != 0,
            AnyValue.ValueOneofCase.StringValue when bool.TryParse(value.StringValue.Trim(), out var b) => b,
            AnyValue.ValueOneofCase.StringValue when value.StringValue.Trim() is "1" or "0" => value.StringValue.Trim() == "1",
            _ => null,
        };
    }

    /// <summary>A whole number (int, integral double, or decimal string); null when absent or not a number.</summary>
    public static long? Long(RepeatedField<KeyValue> attributes, string key) => ToLong(Find(attributes, key));

    /// <summary>Like <see cref="Long"/> but a present value that is not a non-negative whole number rejects the record:
    /// token counts that cannot be read must not silently become zero in the session totals.</summary>
    public static long Count(RepeatedField<KeyValue> attributes, string key)
    {
        var value = Find(attributes, key);
        if (value is null || value.ValueCase == AnyValue.ValueOneofCase.None)
        {
            return 0;
        }

        return ToLong(value) is { } n and >= 0
            ? n
            : throw new OtlpRecordException($"attribute '{key}' must be a non-negative whole number, got {Describe(value)}");
    }

    /// <summary>A finite, non-negative amount; rejects the record when present but unreadable.</summary>
    public static double? Amount(RepeatedField<KeyValue> attributes, string key)
    {
        var value = Find(attributes, key);
        if (value is null || value.ValueCase == AnyValue.ValueOneofCase.None)
        {
            return null;
        }

        return ToDouble(value) is { } d and >= 0 && double.IsFinite(d)
            ? d
            : throw new OtlpRecordException($"attribute '{key}' must be a finite, non-negative number, got {Describe(value)}");
    }

    public static double? Double(RepeatedField<KeyValue> attributes, string key) => ToDouble(Find(attributes, key));

    private static long? ToLong(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue when value.DoubleValue == Math.Floor(value.DoubleValue)
            && Math.Abs(value.DoubleValue) < 9.2e18 => (long)value.DoubleValue,
        AnyValue.ValueOneofCase.StringValue when long.TryParse(value.StringValue.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    private static double? ToDouble(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.StringValue when double.TryParse(value.StringValue.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private static string Describe(AnyValue value)
    {
        var text = Text(value);
        return text is null ? value.ValueCase.ToString() : "\"" + (text.Length <= 40 ? text : text[..40] + "…") + "\"";
    }
}
