using System.Buffers.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;

namespace DevInsights.Core.Otlp;

/// <summary>
/// A hand-written OTLP/JSON reader for logs exports, straight from the UTF-8 bytes into the protobuf messages.
/// Written by hand only because it was measured to matter: in a profile of the OTLP benchmark (16 clients posting
/// Claude Code logs as JSON), <see cref="OtlpJsonReader"/> (rewrite pass, UTF-16 copy, Google's JsonParser) was about
/// half of the server's request handling, and logs are the hot OTLP signal; metrics and traces keep the general reader.
/// </summary>
/// <remarks>
/// It reads the forms the OTLP/JSON rules allow: lowerCamelCase or original snake_case field names, hex trace and
/// span ids (or base64), 64-bit integers as JSON numbers or strings, enums as numbers or names, unknown fields
/// ignored, nulls clearing their field. Whatever it does not handle itself — a null or a second value in the AnyValue oneof,
/// numbers written as fractions or exponents, doubles as strings, escaped lone surrogates, any syntax error — makes it
/// give up, and <see cref="OtlpJsonReader"/> reads the body instead, with its own diagnostics: so the accepted
/// language and the error messages stay exactly those of the general reader.
/// </remarks>
internal static class OtlpJsonLogsReader
{
    private static readonly Google.Protobuf.Reflection.EnumDescriptor _severities =
        LogRecord.Descriptor.FindFieldByNumber(LogRecord.SeverityNumberFieldNumber).EnumType;

    /// <summary>The request, or null when the body needs the general reader (see remarks).</summary>
    public static ExportLogsServiceRequest? TryRead(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = OtlpJsonDiagnostics.MaxDepth });
        try
        {
            var request = new ExportLogsServiceRequest();
            if (!reader.Read() || !Object(ref reader, request, RequestFields) || reader.Read()) return null;
            return request;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>Reads one field's value into the message; false to give up.</summary>
    private delegate bool Field<in T>(ref Utf8JsonReader reader, T message);

    /// <summary>The field reader for a property name, null for an unknown (skipped) field.</summary>
    private delegate Field<T>? Fields<T>(ref Utf8JsonReader reader);

    private static bool Object<T>(ref Utf8JsonReader reader, T message, Fields<T> fields)
        where T : IMessage
    {
        if (reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader;
            var field = fields(ref reader);
            reader.Read();
            if (field is null) reader.Skip();
            else if (reader.TokenType == JsonTokenType.Null ? !Clear(ref name, message) : !field(ref reader, message)) return false;
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>A null clears the field, as in the general reader; one of a oneof is left to the general reader.</summary>
    private static bool Clear(ref Utf8JsonReader name, IMessage message)
    {
        var text = name.GetString()!;
        var field = message.Descriptor.FindFieldByName(text) ?? message.Descriptor.Fields.InFieldNumberOrder().FirstOrDefault(f => f.JsonName == text);
        if (field is null || field.ContainingOneof is not null) return false;
        field.Accessor.Clear(message);
        return true;
    }

    private static bool Repeated<T>(ref Utf8JsonReader reader, RepeatedField<T> list, Fields<T> fields)
        where T : class, IMessage, new()
    {
        if (reader.TokenType != JsonTokenType.StartArray) return false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var item = new T();
            if (!Object(ref reader, item, fields)) return false;
            list.Add(item);
        }

        return true;
    }

    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> camel, ReadOnlySpan<byte> snake) =>
        reader.ValueTextEquals(camel) || reader.ValueTextEquals(snake);

    private static Field<ExportLogsServiceRequest>? RequestFields(ref Utf8JsonReader r) =>
        Is(ref r, "resourceLogs"u8, "resource_logs"u8) ? static (ref Utf8JsonReader r, ExportLogsServiceRequest m) => Repeated(ref r, m.ResourceLogs, ResourceLogsFields) : null;

    private static Field<ResourceLogs>? ResourceLogsFields(ref Utf8JsonReader r)
    {
        if (r.ValueTextEquals("resource"u8)) return static (ref Utf8JsonReader r, ResourceLogs m) => Object(ref r, m.Resource ??= new Resource(), ResourceFields);
        if (Is(ref r, "scopeLogs"u8, "scope_logs"u8)) return static (ref Utf8JsonReader r, ResourceLogs m) => Repeated(ref r, m.ScopeLogs, ScopeLogsFields);
        if (Is(ref r, "schemaUrl"u8, "schema_url"u8)) return static (ref Utf8JsonReader r, ResourceLogs m) => Str(ref r) is { } s && Ok(m.SchemaUrl = s);
        return null;
    }

    private static Field<Resource>? ResourceFields(ref Utf8JsonReader r)
    {
        if (r.ValueTextEquals("attributes"u8)) return static (ref Utf8JsonReader r, Resource m) => Repeated(ref r, m.Attributes, KeyValueFields);
        if (Is(ref r, "droppedAttributesCount"u8, "dropped_attributes_count"u8)) return static (ref Utf8JsonReader r, Resource m) => UInt32(ref r) is { } n && Ok(m.DroppedAttributesCount = n);
        if (Is(ref r, "entityRefs"u8, "entity_refs"u8)) return static (ref Utf8JsonReader r, Resource m) => Repeated(ref r, m.EntityRefs, EntityRefFields);
        return null;
    }

    private static Field<EntityRef>? EntityRefFields(ref Utf8JsonReader r)
    {
        if (Is(ref r, "schemaUrl"u8, "schema_url"u8)) return static (ref Utf8JsonReader r, EntityRef m) => Str(ref r) is { } s && Ok(m.SchemaUrl = s);
        if (r.ValueTextEquals("type"u8)) return static (ref Utf8JsonReader r, EntityRef m) => Str(ref r) is { } s && Ok(m.Type = s);
        if (Is(ref r, "idKeys"u8, "id_keys"u8)) return static (ref Utf8JsonReader r, EntityRef m) => Strings(ref r, m.IdKeys);
        if (Is(ref r, "descriptionKeys"u8, "description_keys"u8)) return static (ref Utf8JsonReader r, EntityRef m) => Strings(ref r, m.DescriptionKeys);
        return null;
    }

    private static bool Strings(ref Utf8JsonReader r, RepeatedField<string> list)
    {
        if (r.TokenType != JsonTokenType.StartArray) return false;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (Str(ref r) is not { } s) return false;
            list.Add(s);
        }

        return true;
    }

    private static Field<ScopeLogs>? ScopeLogsFields(ref Utf8JsonReader r)
    {
        if (r.ValueTextEquals("scope"u8)) return static (ref Utf8JsonReader r, ScopeLogs m) => Object(ref r, m.Scope ??= new InstrumentationScope(), ScopeFields);
        if (Is(ref r, "logRecords"u8, "log_records"u8)) return static (ref Utf8JsonReader r, ScopeLogs m) => Repeated(ref r, m.LogRecords, LogRecordFields);
        if (Is(ref r, "schemaUrl"u8, "schema_url"u8)) return static (ref Utf8JsonReader r, ScopeLogs m) => Str(ref r) is { } s && Ok(m.SchemaUrl = s);
        return null;
    }

    private static Field<InstrumentationScope>? ScopeFields(ref Utf8JsonReader r)
    {
        if (r.ValueTextEquals("name"u8)) return static (ref Utf8JsonReader r, InstrumentationScope m) => Str(ref r) is { } s && Ok(m.Name = s);
        if (r.ValueTextEquals("version"u8)) return static (ref Utf8JsonReader r, InstrumentationScope m) => Str(ref r) is { } s && Ok(m.Version = s);
        if (r.ValueTextEquals("attributes"u8)) return static (ref Utf8JsonReader r, InstrumentationScope m) => Repeated(ref r, m.Attributes, KeyValueFields);
        if (Is(ref r, "droppedAttributesCount"u8, "dropped_attributes_count"u8))
            return static (ref Utf8JsonReader r, InstrumentationScope m) => UInt32(ref r) is { } n && Ok(m.DroppedAttributesCount = n);
        return null;
    }

    private static Field<LogRecord>? LogRecordFields(ref Utf8JsonReader r)
    {
        if (Is(ref r, "timeUnixNano"u8, "time_unix_nano"u8)) return static (ref Utf8JsonReader r, LogRecord m) => UInt64(ref r) is { } n && Ok(m.TimeUnixNano = n);
        if (Is(ref r, "observedTimeUnixNano"u8, "observed_time_unix_nano"u8)) return static (ref Utf8JsonReader r, LogRecord m) => UInt64(ref r) is { } n && Ok(m.ObservedTimeUnixNano = n);
        if (Is(ref r, "severityNumber"u8, "severity_number"u8)) return static (ref Utf8JsonReader r, LogRecord m) => Severity(ref r, m);
        if (Is(ref r, "severityText"u8, "severity_text"u8)) return static (ref Utf8JsonReader r, LogRecord m) => Str(ref r) is { } s && Ok(m.SeverityText = s);
        if (r.ValueTextEquals("body"u8)) return static (ref Utf8JsonReader r, LogRecord m) => m.Body is null && Object(ref r, m.Body = new AnyValue(), AnyValueFields);
        if (r.ValueTextEquals("attributes"u8)) return static (ref Utf8JsonReader r, LogRecord m) => Repeated(ref r, m.Attributes, KeyValueFields);
        if (Is(ref r, "droppedAttributesCount"u8, "dropped_attributes_count"u8)) return static (ref Utf8JsonReader r, LogRecord m) => UInt32(ref r) is { } n && Ok(m.DroppedAttributesCount = n);
        if (r.ValueTextEquals("flags"u8)) return static (ref Utf8JsonReader r, LogRecord m) => UInt32(ref r) is { } n && Ok(m.Flags = n);
        if (Is(ref r, "traceId"u8, "trace_id"u8)) return static (ref Utf8JsonReader r, LogRecord m) => Id(ref r) is { } b && Ok(m.TraceId = b);
        if (Is(ref r, "spanId"u8, "span_id"u8)) return static (ref Utf8JsonReader r, LogRecord m) => Id(ref r) is { } b && Ok(m.SpanId = b);
        if (Is(ref r, "eventName"u8, "event_name"u8)) return static (ref Utf8JsonReader r, LogRecord m) => Str(ref r) is { } s && Ok(m.EventName = s);
        return null;
    }

    private static Field<KeyValue>? KeyValueFields(ref Utf8JsonReader r)
    {
        if (r.ValueTextEquals("key"u8)) return static (ref Utf8JsonReader r, KeyValue m) => Str(ref r) is { } s && Ok(m.Key = s);
        if (r.ValueTextEquals("value"u8)) return static (ref Utf8JsonReader r, KeyValue m) => m.Value is null && Object(ref r, m.Value = new AnyValue(), AnyValueFields);
        return null;
    }

    private static Field<AnyValue>? AnyValueFields(ref Utf8JsonReader r)
    {
        if (Is(ref r, "stringValue"u8, "string_value"u8)) return static (ref Utf8JsonReader r, AnyValue m) => Unset(m) && Str(ref r) is { } s && Ok(m.StringValue = s);
        if (Is(ref r, "boolValue"u8, "bool_value"u8)) return static (ref Utf8JsonReader r, AnyValue m) => Unset(m) && Bool(ref r) is { } b && Ok(m.BoolValue = b);
        if (Is(ref r, "intValue"u8, "int_value"u8)) return static (ref Utf8JsonReader r, AnyValue m) => Unset(m) && Int64(ref r) is { } n && Ok(m.IntValue = n);
        if (Is(ref r, "doubleValue"u8, "double_value"u8)) return static (ref Utf8JsonReader r, AnyValue m) => Unset(m) && Double(ref r) is { } d && Ok(m.DoubleValue = d);
        if (Is(ref r, "arrayValue"u8, "array_value"u8))
            return static (ref Utf8JsonReader r, AnyValue m) => Unset(m) && Object(ref r, m.ArrayValue = new ArrayValue(), ArrayValueFields);
        if (Is(ref r, "kvlistValue"u8, "kvlist_value"u8))
            return static (ref Utf8JsonReader r, AnyValue m) => Unset(m) && Object(ref r, m.KvlistValue = new KeyValueList(), KeyValueListFields);
        if (Is(ref r, "bytesValue"u8, "bytes_value"u8)) return static (ref Utf8JsonReader r, AnyValue m) => Unset(m) && Base64(ref r) is { } b && Ok(m.BytesValue = b);
        return null;
    }

    // A second value of the oneof is an error for the general reader: let it say so.
    private static bool Unset(AnyValue value) => value.ValueCase == AnyValue.ValueOneofCase.None;

    private static Field<ArrayValue>? ArrayValueFields(ref Utf8JsonReader r) =>
        r.ValueTextEquals("values"u8) ? static (ref Utf8JsonReader r, ArrayValue m) => Repeated(ref r, m.Values, AnyValueFields) : null;

    private static Field<KeyValueList>? KeyValueListFields(ref Utf8JsonReader r) =>
        r.ValueTextEquals("values"u8) ? static (ref Utf8JsonReader r, KeyValueList m) => Repeated(ref r, m.Values, KeyValueFields) : null;

    private static bool Ok<T>(T _) => true;

    private static string? Str(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.String ? r.GetString() : null;

    private static bool? Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => null,
    };

    private static double? Double(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Number && r.TryGetDouble(out var d) ? d : null;

    // Integers as JSON numbers or plain decimal strings, exactly; fractions, exponents, signs on strings, spaces and
    // escapes are left to the general reader.
    private static long? Int64(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number) return r.TryGetInt64(out var n) ? n : null;
        return IsDigits(ref r) && Utf8Parser.TryParse(r.ValueSpan, out long s, out var used) && used == r.ValueSpan.Length ? s : null;
    }

    private static ulong? UInt64(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number) return r.TryGetUInt64(out var n) ? n : null;
        return IsDigits(ref r) && Utf8Parser.TryParse(r.ValueSpan, out ulong s, out var used) && used == r.ValueSpan.Length ? s : null;
    }

    private static uint? UInt32(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number) return r.TryGetUInt32(out var n) ? n : null;
        return IsDigits(ref r) && Utf8Parser.TryParse(r.ValueSpan, out uint s, out var used) && used == r.ValueSpan.Length ? s : null;
    }

    /// <summary>A string of ASCII digits, optionally after a minus sign.</summary>
    private static bool IsDigits(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || r.HasValueSequence) return false;
        var text = r.ValueSpan;
        var digits = text.Length > 0 && text[0] == '-' ? text[1..] : text;
        return digits.Length is > 0 and <= 20 && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    /// <summary>An enum number, or a name of the enum (e.g. "SEVERITY_NUMBER_INFO").</summary>
    private static bool Severity(ref Utf8JsonReader r, LogRecord m)
    {
        if (r.TokenType == JsonTokenType.Number)
        {
            if (!r.TryGetInt32(out var number)) return false;
            m.SeverityNumber = (SeverityNumber)number;
            return true;
        }

        if (r.TokenType != JsonTokenType.String || _severities.FindValueByName(r.GetString()!) is not { } value) return false;
        m.SeverityNumber = (SeverityNumber)value.Number;
        return true;
    }

    /// <summary>OTLP's hex ids (16 or 32 hex digits), else proto3 JSON's base64, as the general reader decides.</summary>
    private static ByteString? Id(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || r.HasValueSequence) return null;
        var value = r.ValueSpan;
        if (value.Length is not (16 or 32) || value.ContainsAnyExcept("0123456789abcdefABCDEF"u8)) return Base64(ref r);
        var bytes = new byte[value.Length / 2];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)(Hex(value[2 * i]) << 4 | Hex(value[2 * i + 1]));
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    private static int Hex(byte digit) => digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10;

    private static ByteString? Base64(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || r.HasValueSequence) return null;
        var value = r.ValueSpan;
        var bytes = new byte[System.Buffers.Text.Base64.GetMaxDecodedFromUtf8Length(value.Length)];
        return System.Buffers.Text.Base64.DecodeFromUtf8(value, bytes, out var consumed, out var written) == System.Buffers.OperationStatus.Done
            && consumed == value.Length
            ? UnsafeByteOperations.UnsafeWrap(bytes.AsMemory(0, written))
            : null;
    }
}
