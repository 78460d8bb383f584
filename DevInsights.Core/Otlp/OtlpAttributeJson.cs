using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;

namespace DevInsights.Core.Otlp;

/// <summary>
/// Writes OTLP attributes as one flat JSON object with typed values (strings, numbers, booleans; arrays and
/// key-value lists as JSON arrays and objects), applying the limits of <see cref="OtlpConversionOptions"/>.
/// One instance per conversion call: it reuses its buffer from record to record.
/// </summary>
internal sealed class OtlpAttributeJson
{
    public const string DroppedKey = "otlp.dropped_attributes";
    private const int MaxNesting = 8;
    private const int MaxKeyLength = 256;

    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private readonly Utf8JsonWriter _writer;
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly OtlpConversionOptions _options;
    private int _dropped;

    public OtlpAttributeJson(OtlpConversionOptions options)
    {
        _options = options;
        // Stored for queries, never embedded in HTML: no need to escape non-ASCII text or '<', '&'.
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public void Begin()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _keys.Clear();
        _dropped = 0;
    }

    /// <summary>Adds every attribute except the two keys already stored as columns and, unless kept, content.</summary>
    public void AddAll(RepeatedField<KeyValue> attributes, string? skipKey = null, string? skipKey2 = null)
    {
        foreach (var kv in attributes)
        {
            if (kv.Key == skipKey || kv.Key == skipKey2 || (!_options.KeepContent && OtlpContent.AttributeKeys.Contains(kv.Key)))
            {
                continue;
            }

            Add(kv.Key, kv.Value);
        }
    }

    public void Add(string key, AnyValue? value)
    {
        // Duplicate keys would make an ambiguous JSON object; the first one wins, as in attribute lookups.
        if (key.Length > MaxKeyLength || _keys.Count >= _options.MaxAttributeCount || !_keys.Add(key))
        {
            _dropped++;
            return;
        }

        _writer.WritePropertyName(OtlpAttributes.Clean(key));
        WriteValue(value, key, 0);
    }

    public string End()
    {
        if (_dropped > 0)
        {
            _writer.WriteNumber(DroppedKey, _dropped);
        }

        _writer.WriteEndObject();
        _writer.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    /// <summary>Writes <paramref name="attributes"/> alone as a JSON object.</summary>
    public string Write(RepeatedField<KeyValue> attributes)
    {
        Begin();
        AddAll(attributes);
        return End();
    }

    private void WriteValue(AnyValue? value, string key, int depth)
    {
        if (depth > MaxNesting)
        {
            throw new OtlpRecordException($"attribute '{key}' nests deeper than {MaxNesting} levels");
        }

        switch (value?.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                _writer.WriteStringValue(Cut(value.StringValue));
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                _writer.WriteBooleanValue(value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                _writer.WriteNumberValue(value.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue):
                _writer.WriteNumberValue(value.DoubleValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                // JSON has no NaN or infinity; keep the information as text.
                _writer.WriteStringValue(value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                _writer.WriteStringValue(Cut(Convert.ToBase64String(value.BytesValue.Span)));
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                _writer.WriteStartArray();
                var items = value.ArrayValue.Values;
                for (var i = 0; i < items.Count && i < _options.MaxAttributeCount; i++)
                {
                    WriteValue(items[i], key, depth + 1);
                }

                _writer.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                _writer.WriteStartObject();
                var entries = value.KvlistValue.Values;
                for (var i = 0; i < entries.Count && i < _options.MaxAttributeCount; i++)
                {
                    _writer.WritePropertyName(OtlpAttributes.Clean(entries[i].Key));
                    WriteValue(entries[i].Value, key, depth + 1);
                }

                _writer.WriteEndObject();
                break;
            default:
                _writer.WriteNullValue();
                break;
        }
    }

    private string Cut(string text)
    {
        var max = _options.MaxAttributeValueLength;
        if (text.Length > max)
        {
            // Never split a surrogate pair: half a character is invalid UTF-16 and unencodable in UTF-8.
            text = char.IsHighSurrogate(text[max - 1]) ? text[..(max - 1)] : text[..max];
        }

        return OtlpAttributes.Clean(text);
    }

}
