using System.Buffers.Binary;
using System.Buffers.Text;

namespace DevInsights.Core.Hierarchy;

/// <summary>The keyset position after the last event of a page: (timestamp, id), the page order's two keys.</summary>
/// <remarks>Opaque to clients (base64url of a version byte, the UTC ticks and the id) so the format can change;
/// the version byte lets an old cursor fail validation instead of silently mis-seeking.</remarks>
public readonly record struct EventCursor(DateTime Timestamp, long Id)
{
    private const byte Version = 1;
    private const int Length = 17;

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], Timestamp.ToUniversalTime().Ticks);
        BinaryPrimitives.WriteInt64BigEndian(bytes[9..], Id);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string? text, out EventCursor cursor)
    {
        cursor = default;
        // IsValid first: decoding throws, rather than answers false, on characters outside the alphabet.
        if (string.IsNullOrEmpty(text) || text.Length > 64 || !Base64Url.IsValid(text, out var length) || length != Length)
            return false;
        Span<byte> bytes = stackalloc byte[Length];
        if (!Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != Length || bytes[0] != Version)
            return false;
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var id = BinaryPrimitives.ReadInt64BigEndian(bytes[9..]);
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks || id < 0) return false;
        cursor = new EventCursor(new DateTime(ticks, DateTimeKind.Utc), id);
        return true;
    }
}
