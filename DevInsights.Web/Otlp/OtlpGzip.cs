using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace DevInsights.Web.Otlp;

/// <summary>gzip-compressed OTLP payloads (<c>Content-Encoding: gzip</c> over HTTP, <c>grpc-encoding: gzip</c> over gRPC),
/// decompressed under a size cap so that a small "gzip bomb" cannot make the server inflate gigabytes.</summary>
public static class OtlpGzip
{
    public enum Outcome
    {
        Ok,
        TooLarge,
        Invalid,
    }

    /// <summary>Inflates <paramref name="compressed"/>, stopping as soon as more than <paramref name="maxBytes"/> come out.</summary>
    /// <remarks>.NET's GZipStream returns what it has when the input ends early instead of throwing, so a truncated body is
    /// recognised by its trailer: the last 4 bytes of a complete gzip member are the uncompressed size (mod 2^32). OTLP
    /// exporters send one member; a multi-member body fails this check and is refused as invalid.</remarks>
    public static Outcome TryDecompress(ReadOnlyMemory<byte> compressed, long maxBytes, out byte[] output, out int length, out string? error)
    {
        output = [];
        length = 0;
        error = null;
        if (compressed.Length < 18 || compressed.Span[0] != 0x1f || compressed.Span[1] != 0x8b)
        {
            error = "The body is not gzip data (no gzip header).";
            return Outcome.Invalid;
        }

        var declared = BinaryPrimitives.ReadUInt32LittleEndian(compressed.Span[^4..]);
        var buffer = new MemoryStream((int)Math.Min(Math.Min(declared, maxBytes) + 1, 1024 * 1024));
        try
        {
            using var gzip = new GZipStream(AsStream(compressed), CompressionMode.Decompress);
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = gzip.Read(chunk)) > 0)
            {
                if (buffer.Length + read > maxBytes) return Outcome.TooLarge;
                buffer.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException ex)
        {
            error = "The body is not valid gzip data: " + ex.Message;
            return Outcome.Invalid;
        }

        if ((uint)buffer.Length != declared)
        {
            error = $"The gzip body is truncated or damaged: it inflates to {buffer.Length} bytes where its trailer says {declared}.";
            return Outcome.Invalid;
        }

        output = buffer.GetBuffer();
        length = (int)buffer.Length;
        return Outcome.Ok;
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(memory.ToArray(), writable: false);
}
