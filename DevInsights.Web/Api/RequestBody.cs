using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace DevInsights.Web.Api;

/// <summary>A request body read into a pooled buffer, refusing to read past a limit (so an oversized or endless
/// body never gets buffered). Dispose returns the buffer.</summary>
public sealed class RequestBody : IDisposable
{
    private byte[]? _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer is null ? throw new ObjectDisposedException(nameof(RequestBody)) : _buffer.AsMemory(0, Length);

    /// <summary>The whole body, or null when it is larger than <paramref name="maxBytes"/> (by its Content-Length, or
    /// once more than that many bytes arrived).</summary>
    public static async Task<RequestBody?> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes) return null;
        // Our own limit is the one that counts: lift Kestrel's (30 MB by default) so it never answers first.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
            sizeLimit.MaxRequestBodySize = maxBytes + 1;

        var limit = (int)Math.Min(maxBytes, Array.MaxLength - 1);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 16 * 1024, 1, limit + 1L));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit) break;
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) break;
                length += read;
            }
            if (length > limit)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }
            return new RequestBody(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
