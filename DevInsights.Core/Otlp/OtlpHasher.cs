using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;

namespace DevInsights.Core.Otlp;

/// <summary>
/// Deterministic ids (SHA-256, first 128 bits as hex) for log records and metric series. Attributes are
/// hashed sorted by key, so a re-serialised copy with another attribute order (Codex's resources) hashes the
/// same, and as their protobuf encoding, which is identical whether the request arrived as JSON or protobuf.
/// One instance per conversion call: it reuses its buffers.
/// </summary>
/// <remarks>The input is gathered in one buffer and hashed in one call: feeding an incremental hash piece by piece
/// (two dozen pieces per Claude Code record) cost a native call each and made id hashing ~75% of log conversion in a
/// profile of the OTLP benchmark. The bytes hashed, and so the ids, are the same.</remarks>
internal sealed class OtlpHasher
{
    private static readonly Comparison<KeyValue> _byKey = (x, y) => string.CompareOrdinal(x.Key, y.Key);

    private readonly List<KeyValue> _sorted = [];
    private byte[] _buffer = new byte[4096];
    private int _length;

    /// <summary>
    /// The idempotency key of a log record: session, normalised type, both timestamps, severity, event name,
    /// trace context, body and every attribute. Re-posting an export yields the same ids; two records differ in at least one of these
    /// (Claude's <c>event.sequence</c>, Codex's nanosecond observed time), so distinct records never share one.
    /// </summary>
    public string EventId(string sessionId, string type, LogRecord record)
    {
        Text(sessionId);
        Text(type);
        Number(record.TimeUnixNano);
        Number(record.ObservedTimeUnixNano);
        Number((ulong)record.SeverityNumber);
        Text(record.EventName);
        Bytes(record.TraceId.Span);
        Bytes(record.SpanId.Span);
        if (record.Body is not null)
        {
            Message(record.Body);
        }

        Sorted(record.Attributes);
        return Finish();
    }

    public OtlpHasher Text(string text)
    {
        var span = Reserve(Encoding.UTF8.GetMaxByteCount(text.Length) + 1);
        var length = Encoding.UTF8.GetBytes(text, span);
        span[length] = 0; // separator: ("ab","c") and ("a","bc") must not hash alike
        _length += length + 1;
        return this;
    }

    public OtlpHasher Number(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);
        _length += 8;
        return this;
    }

    public OtlpHasher Sorted(RepeatedField<KeyValue>? attributes)
    {
        _sorted.Clear();
        if (attributes is not null)
        {
            _sorted.AddRange(attributes);
        }

        _sorted.Sort(_byKey);
        Number((ulong)_sorted.Count);
        foreach (var kv in _sorted)
        {
            Message(kv);
        }

        return this;
    }

    public string Finish()
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(_buffer.AsSpan(0, _length), digest);
        _length = 0;
        return Convert.ToHexStringLower(digest[..16]);
    }

    private void Bytes(ReadOnlySpan<byte> bytes)
    {
        Number((ulong)bytes.Length);
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    private void Message(IMessage message)
    {
        // Length-prefixed: concatenated messages would otherwise be ambiguous (a key-only attribute followed
        // by a value-only one encodes like a single attribute).
        var size = message.CalculateSize();
        var span = Reserve(size + 4);
        BinaryPrimitives.WriteInt32LittleEndian(span, size);
        message.WriteTo(span.Slice(4, size));
        _length += size + 4;
    }

    /// <summary>Room for <paramref name="size"/> more bytes after those gathered so far.</summary>
    private Span<byte> Reserve(int size)
    {
        if (_buffer.Length - _length < size)
        {
            Array.Resize(ref _buffer, Math.Max(_length + size, _buffer.Length * 2));
        }

        return _buffer.AsSpan(_length, size);
    }
}
