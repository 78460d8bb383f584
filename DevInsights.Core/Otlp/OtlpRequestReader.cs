using Google.Protobuf;

namespace DevInsights.Core.Otlp;

/// <summary>The two OTLP/HTTP body encodings (OTLP/gRPC carries the protobuf one).</summary>
public enum OtlpEncoding
{
    Protobuf,
    Json,
}

/// <summary>Reads an OTLP export request in either encoding into the protobuf messages, so one conversion
/// pipeline serves OTLP/HTTP JSON, OTLP/HTTP protobuf and OTLP/gRPC alike.</summary>
public static class OtlpRequestReader
{
    /// <summary>Maps a Content-Type to an encoding; null for anything OTLP does not define (answer 415).</summary>
    public static OtlpEncoding? EncodingOf(string? contentType)
    {
        var mediaType = contentType?.Split(';', 2)[0].Trim();
        if (string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return OtlpEncoding.Json;
        }

        return string.Equals(mediaType, "application/x-protobuf", StringComparison.OrdinalIgnoreCase)
            || string.Equals(mediaType, "application/protobuf", StringComparison.OrdinalIgnoreCase)
            ? OtlpEncoding.Protobuf
            : null;
    }

    /// <exception cref="OtlpFormatException">The body is not a valid <typeparamref name="T"/> in that encoding.</exception>
    public static T Read<T>(ReadOnlySpan<byte> body, OtlpEncoding encoding)
        where T : class, IMessage<T>, new()
        => encoding == OtlpEncoding.Json ? OtlpJsonReader.Read<T>(body) : ReadProtobuf<T>(body);

    /// <exception cref="OtlpFormatException">The body is not a valid binary <typeparamref name="T"/>.</exception>
    public static T ReadProtobuf<T>(ReadOnlySpan<byte> body)
        where T : class, IMessage<T>, new()
    {
        try
        {
            return ParserOf<T>.Instance.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OtlpFormatException(
                $"Invalid OTLP/protobuf {typeof(T).Name} ({body.Length} bytes): {e.Message}", e);
        }
    }
}

internal static class ParserOf<T>
    where T : class, IMessage<T>, new()
{
    // Generated messages expose their parser only statically; one per request type is enough.
    public static readonly MessageParser<T> Instance = new(() => new T());
}
