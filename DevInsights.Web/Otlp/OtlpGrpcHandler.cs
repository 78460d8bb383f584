using System.Buffers.Binary;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Otlp;
using DevInsights.Web.Api;
using DevInsights.Web.Security;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Otlp;

/// <summary>
/// OTLP/gRPC by hand (Grpc.AspNetCore does not restore here, see STACK.md): the three unary Export methods over
/// HTTP/2. A request is one length-prefixed message (1 byte compressed flag, 4 bytes big-endian length), compressed
/// when the flag is set with the <c>grpc-encoding</c> named (gzip only). The reply is HTTP 200,
/// <c>content-type: application/grpc</c>, the Export*ServiceResponse as one message on success, and the outcome in the
/// <c>grpc-status</c>/<c>grpc-message</c> trailers: 0 OK, 3 INVALID_ARGUMENT (malformed), 8 RESOURCE_EXHAUSTED
/// (queue full, message too large), 12 UNIMPLEMENTED (unknown method or encoding), 14 UNAVAILABLE (writer failure),
/// 16 UNAUTHENTICATED (no or wrong key in <c>x-api-key</c> or <c>authorization: Bearer</c>).
/// </summary>
public sealed class OtlpGrpcHandler(OtlpIngestionService otlp, ApiKeyService keys, IOptions<DevInsightsOptions> options, ILogger<OtlpGrpcHandler> logger)
{
    public const string GrpcContentType = "application/grpc";
    private const int FrameHeaderLength = 5;

    private static readonly Dictionary<string, OtlpSignal> _methods = new(StringComparer.Ordinal)
    {
        ["/opentelemetry.proto.collector.logs.v1.LogsService/Export"] = OtlpSignal.Logs,
        ["/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"] = OtlpSignal.Metrics,
        ["/opentelemetry.proto.collector.trace.v1.TraceService/Export"] = OtlpSignal.Traces,
    };

    public async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var response = http.Response;
        // The gRPC protocol answers a request that is not gRPC at all with plain HTTP statuses.
        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (request.ContentType is not { } contentType || !contentType.StartsWith(GrpcContentType, StringComparison.OrdinalIgnoreCase))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        response.ContentType = GrpcContentType;
        response.Headers["grpc-accept-encoding"] = "identity,gzip";
        var (status, message, reply) = await ExportAsync(http);
        if (reply is not null)
        {
            var bytes = reply.ToByteArray();
            var frame = new byte[FrameHeaderLength + bytes.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)bytes.Length);
            bytes.CopyTo(frame, FrameHeaderLength);
            await response.Body.WriteAsync(frame, http.RequestAborted);
        }

        response.AppendTrailer("grpc-status", ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (message is not null) response.AppendTrailer("grpc-message", OtlpStatus.EncodeMessage(message));
    }

    private async Task<(GrpcStatusCode Status, string? Message, IMessage? Reply)> ExportAsync(HttpContext http)
    {
        var request = http.Request;
        if (!_methods.TryGetValue(request.Path.Value ?? "", out var signal))
            return (GrpcStatusCode.Unimplemented, $"Method {request.Path} is not implemented; this port serves the OTLP Export methods.", null);

        var presented = ApiKeyAuthenticationHandler.ReadKey(request);
        var key = presented is null ? null : await keys.AuthenticateAsync(presented, http.RequestAborted);
        if (key is null)
        {
            return (GrpcStatusCode.Unauthenticated, presented is null
                ? "Send your API key in the x-api-key header or as authorization: Bearer <key>."
                : "The API key is invalid or has been revoked.", null);
        }

        var maxBytes = options.Value.Otlp.MaxBodyBytes;
        using var body = await RequestBody.ReadAsync(request, maxBytes + FrameHeaderLength, http.RequestAborted);
        if (body is null) return (GrpcStatusCode.ResourceExhausted, $"The message is larger than {maxBytes} bytes (DevInsights:Otlp:MaxBodyBytes).", null);
        var frame = body.Memory;
        if (frame.Length < FrameHeaderLength
            || frame.Span[0] > 1
            || BinaryPrimitives.ReadUInt32BigEndian(frame.Span[1..]) != frame.Length - FrameHeaderLength)
        {
            return (GrpcStatusCode.InvalidArgument, "The request is not one length-prefixed gRPC message.", null);
        }

        var payload = frame[FrameHeaderLength..];
        if (frame.Span[0] == 1)
        {
            var encoding = request.Headers["grpc-encoding"].ToString();
            if (!encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
                return (GrpcStatusCode.Unimplemented, $"grpc-encoding '{encoding}' is not supported; use gzip or none.", null);
            switch (OtlpGzip.TryDecompress(payload, maxBytes, out var inflated, out var length, out var error))
            {
                case OtlpGzip.Outcome.TooLarge:
                    return (GrpcStatusCode.ResourceExhausted, $"The message inflates to more than {maxBytes} bytes (DevInsights:Otlp:MaxBodyBytes).", null);
                case OtlpGzip.Outcome.Invalid:
                    return (GrpcStatusCode.InvalidArgument, error, null);
            }

            payload = inflated.AsMemory(0, length);
        }

        try
        {
            var result = await otlp.ExportAsync(signal, payload.Span, OtlpEncoding.Protobuf, key.UserId, http.RequestAborted);
            return (GrpcStatusCode.Ok, null, result.ToResponse());
        }
        catch (OtlpFormatException ex)
        {
            return (GrpcStatusCode.InvalidArgument, ex.Message, null);
        }
        catch (IngestionQueueFullException)
        {
            return (GrpcStatusCode.ResourceExhausted, "The ingestion queue is full; retry later. Nothing was stored.", null);
        }
        catch (IngestionFailedException ex)
        {
            logger.LogWarning(ex, "OTLP/gRPC {Signal} export could not be stored", signal);
            return (GrpcStatusCode.Unavailable, ex.Message, null);
        }
    }
}
