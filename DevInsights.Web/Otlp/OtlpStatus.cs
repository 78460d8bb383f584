using System.Text;
using Google.Protobuf;

namespace DevInsights.Web.Otlp;

/// <summary>The gRPC status codes OTLP uses (the numbers of google.rpc.Code).</summary>
public enum GrpcStatusCode
{
    Ok = 0,
    InvalidArgument = 3,
    ResourceExhausted = 8,
    Unimplemented = 12,
    Unavailable = 14,
    Unauthenticated = 16,
}

/// <summary>google.rpc.Status, the error body OTLP specifies for protobuf callers (over HTTP) — written by hand: two
/// fields do not justify another generated message.</summary>
public static class OtlpStatus
{
    public static byte[] ToProtobuf(GrpcStatusCode code, string message)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt32((int)code);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(message);
        output.Flush();
        return buffer.ToArray();
    }

    /// <summary>A <c>grpc-message</c> value: percent-encoded UTF-8, as the gRPC HTTP/2 protocol requires.</summary>
    public static string EncodeMessage(string message)
    {
        var sb = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7e && b != (byte)'%') sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
