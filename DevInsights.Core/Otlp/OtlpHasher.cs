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
/// One instance per conversion call: it reuses its hash and buffers.
/// </summary>
internal sealed class OtlpHasher : IDisposable
{
    private static readonly Comparison<KeyValue> _byKey = (x, y) => string.CompareOrdinal(x.Key, y.Key);

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<KeyValue> _sorted = [];
    private byte[] _buffer = new byte[4096];

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
        var length = Encoding.UTF8.GetByteCount(text);
        EnsureBuffer(length + 1);
        Encoding.UTF8.GetBytes(text, _buffer);
        _buffer[length] = 0; // separator: ("ab","c") and ("a","bc") must not hash alike
        _hash.AppendData(_buffer, 0, length + 1);
        return this;
    }

    public OtlpHasher Number(ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        _hash.AppendData(bytes);
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
        _hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest[..16]);
    }

    public void Dispose() => _hash.Dispose();

    private void Bytes(ReadOnlySpan<byte> bytes)
    {
        Number((ulong)bytes.Length);
        _hash.AppendData(bytes);
    }

    private void Message(IMessage message)
    {
        // Length-prefixed: concatenated messages would otherwise be ambiguous (a key-only attribute followed
        // by a value-only one encodes like a single attribute).
        var size = message.CalculateSize();
        EnsureBuffer(size + 4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer, size);
        message.WriteTo(_buffer.AsSpan(4, size));
        _hash.AppendData(_buffer, 0, size + 4);
    }

    private void EnsureBuffer(int size)
    {
        if (_buffer.Length < size)
        {
            _buffer = new byte[Math.Max(size, _buffer.Length * 2)];
        }
    }
}
