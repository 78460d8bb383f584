using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Google.Protobuf;

namespace DevInsights.Core.Otlp;

/// <summary>
/// OTLP/JSON → the protobuf request messages. Google.Protobuf's <see cref="JsonParser"/> reads the proto3 JSON
/// mapping, which OTLP/JSON follows except for trace and span ids: OTLP writes them as hex, proto3 JSON as
/// base64. One Utf8JsonReader pass first rewrites, in a copy, hex ids to base64 and long integers written as
/// JSON numbers (Claude Code's <c>intValue</c>) to strings, because the parser reads every JSON number as a
/// double and would round integers beyond 2^53. Everything else (numbers or strings for 64-bit integers, enums
/// as numbers, unknown fields, nulls) the parser already accepts.
/// </summary>
/// <remarks>Measured on the Codex 0.78 MB metrics export (medians of 118 interleaved runs, 2 shared cores):
/// JsonParser alone 6.8 ms; this pass + JsonParser 9.0 ms; a JsonNode rewrite + JsonParser 10.8 ms; a bare
/// Utf8JsonReader pass (the floor of a hand-written reader) 1.0 ms. A hand-written reader could be ~3× faster
/// but is ~600 lines over the whole OTLP schema, so metrics and traces keep this route. Logs, the hot signal under
/// load, go first through <see cref="OtlpJsonLogsReader"/> (4-8x faster on Claude Code's exports), which hands
/// anything it does not read itself back to this path.</remarks>
public static class OtlpJsonReader
{
    private static readonly JsonParser _parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>Integers from this many digits on may exceed 2^53 and lose precision as doubles.</summary>
    private const int LongIntegerDigits = 16;

    /// <exception cref="OtlpFormatException">The body is not a valid OTLP/JSON <typeparamref name="T"/>; the
    /// message names the position or the field at fault.</exception>
    public static T Read<T>(ReadOnlySpan<byte> utf8Json)
        where T : class, IMessage<T>, new()
    {
        if (utf8Json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8Json = utf8Json[3..];
        }

        if (utf8Json.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new OtlpFormatException($"Invalid OTLP/JSON {typeof(T).Name}: the body is empty; expected a JSON object.");
        }

        // Logs, the hot signal, have their own reader; it hands back anything it does not read itself.
        if (typeof(T) == typeof(OpenTelemetry.Proto.Collector.Logs.V1.ExportLogsServiceRequest) && Utf8.IsValid(utf8Json)
            && OtlpJsonLogsReader.TryRead(utf8Json) is { } logs)
        {
            return (T)(object)logs;
        }

        return ReadWithParser<T>(utf8Json);
    }

    /// <summary>The general path, through Google's parser (without the byte order mark and empty-body checks).</summary>
    internal static T ReadWithParser<T>(ReadOnlySpan<byte> utf8Json)
        where T : class, IMessage<T>, new()
    {
        var rewritten = Rewrite(utf8Json, typeof(T).Name);
        var span = rewritten ?? utf8Json;
        // Checked apart (vectorised) because a decoder would silently turn bad bytes into U+FFFD.
        if (!Utf8.IsValid(span))
        {
            Utf8.ToUtf16(span, new char[span.Length], out var valid, out _, replaceInvalidSequences: false);
            throw new OtlpFormatException($"Invalid OTLP/JSON {typeof(T).Name}: the body is not valid UTF-8 (byte {valid}).");
        }

        var text = Encoding.UTF8.GetString(span);

        try
        {
            return _parser.Parse<T>(text);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            // The parser says what but not where: find the field at fault ourselves (failure path only).
            var problem = OtlpJsonDiagnostics.FindProblem(new T().Descriptor, span) ?? e.Message;
            throw new OtlpFormatException($"Invalid OTLP/JSON {typeof(T).Name}: {problem}", e);
        }
    }

    /// <summary>Returns a copy with hex ids as base64 and long integer numbers as strings, or null when there is
    /// nothing to rewrite. Also the first syntax check, with line and byte of the error.</summary>
    private static byte[]? Rewrite(ReadOnlySpan<byte> json, string typeName)
    {
        List<(int Start, int Length, string Replacement)>? replacements = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = OtlpJsonDiagnostics.MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.Number && IsLongInteger(reader.ValueSpan))
                {
                    var start = (int)reader.TokenStartIndex;
                    (replacements ??= []).Add((start, reader.ValueSpan.Length, "\"" + Encoding.ASCII.GetString(reader.ValueSpan) + "\""));
                }
                else if (reader.TokenType == JsonTokenType.PropertyName && IsIdField(ref reader) && reader.Read()
                    && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && TryDecodeHexId(reader.ValueSpan, out var bytes))
                {
                    // TokenStartIndex points at the opening quote; ValueSpan excludes both quotes.
                    (replacements ??= []).Add(((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, Convert.ToBase64String(bytes)));
                }
            }
        }
        catch (JsonException e)
        {
            throw new OtlpFormatException($"Invalid OTLP/JSON {typeName}: {OtlpJsonDiagnostics.Describe(e)}", e);
        }

        return replacements is null ? null : Splice(json, replacements);
    }

    private static bool IsLongInteger(ReadOnlySpan<byte> number)
        => number.Length >= LongIntegerDigits && number.IndexOfAny(".eE"u8) < 0;
    private static bool IsIdField(ref Utf8JsonReader reader)
    {
        if (reader.HasValueSequence || reader.ValueIsEscaped)
        {
            return false; // never produced by an exporter; the parser then reports a wrong id as bad base64
        }

        // Every id field name ends in 'd'; most property names are rejected by that one byte.
        var name = reader.ValueSpan;
        return name.Length >= 6 && name[^1] == (byte)'d'
            && (name.SequenceEqual("traceId"u8) || name.SequenceEqual("spanId"u8) || name.SequenceEqual("parentSpanId"u8)
                || name.SequenceEqual("trace_id"u8) || name.SequenceEqual("span_id"u8) || name.SequenceEqual("parent_span_id"u8));
    }

    // Only the two OTLP id sizes (16-byte trace, 8-byte span) count as hex: a base64 id of those sizes is 24 or
    // 12 characters long, so the two spellings cannot be confused.
    private static bool TryDecodeHexId(ReadOnlySpan<byte> value, out byte[] bytes)
    {
        bytes = [];
        if (value.Length is not (16 or 32))
        {
            return false;
        }

        foreach (var b in value)
        {
            if (!char.IsAsciiHexDigit((char)b))
            {
                return false;
            }
        }

        bytes = Convert.FromHexString(Encoding.ASCII.GetString(value));
        return true;
    }

    private static byte[] Splice(ReadOnlySpan<byte> json, List<(int Start, int Length, string Replacement)> replacements)
    {
        var size = json.Length;
        foreach (var r in replacements)
        {
            size += r.Replacement.Length - r.Length;
        }

        var output = new byte[size];
        var written = 0;
        var read = 0;
        foreach (var r in replacements)
        {
            json[read..r.Start].CopyTo(output.AsSpan(written));
            written += r.Start - read;
            written += Encoding.ASCII.GetBytes(r.Replacement, output.AsSpan(written));
            read = r.Start + r.Length;
        }

        json[read..].CopyTo(output.AsSpan(written));
        return output;
    }
}
