using System.Globalization;
using DevInsights.Core.Configuration;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Otlp;
using DevInsights.Web.Api;
using DevInsights.Web.Security;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Otlp;

/// <summary>What the OTLP/HTTP handlers need from the container.</summary>
public sealed record OtlpHttpServices(OtlpIngestionService Otlp, IOptions<DevInsightsOptions> Options);

/// <summary>OTLP/HTTP on the app's own port: <c>POST /v1/logs</c>, <c>/v1/metrics</c>, <c>/v1/traces</c> with
/// <c>application/x-protobuf</c> or <c>application/json</c> bodies, optionally gzip-compressed; the API key in
/// <c>x-api-key</c> or <c>Authorization: Bearer</c> (the smart scheme sends every /v1 request to the key handler).</summary>
/// <remarks>
/// Replies follow the OTLP specification: 200 with the Export*ServiceResponse in the request's encoding (a partial
/// success names the rejected count); 400 for a body that cannot be read (not retried by clients); 429 and 503 with
/// Retry-After when nothing was stored and a retry will do. Error bodies are problem details for JSON callers (like the
/// rest of the API) and a google.rpc.Status for protobuf callers; 401 and 415 are problem details for everyone.
/// </remarks>
public static class OtlpHttpEndpoints
{
    private const string ProtobufType = "application/x-protobuf";
    private const string JsonType = "application/json";

    public static RouteGroupBuilder MapOtlpHttpApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").RequireAuthorization().WithTags("OTLP");
        Describe(group.MapPost("/logs", ExportLogs).WithName("OtlpExportLogs").WithSummary("OTLP/HTTP logs export"));
        Describe(group.MapPost("/metrics", ExportMetrics).WithName("OtlpExportMetrics").WithSummary("OTLP/HTTP metrics export"));
        Describe(group.MapPost("/traces", ExportTraces).WithName("OtlpExportTraces").WithSummary("OTLP/HTTP traces export"));
        return group;
    }

    public static Task<IResult> ExportLogs(HttpContext http, [AsParameters] OtlpHttpServices services, CancellationToken ct) =>
        ExportAsync(OtlpSignal.Logs, http, services, ct);

    public static Task<IResult> ExportMetrics(HttpContext http, [AsParameters] OtlpHttpServices services, CancellationToken ct) =>
        ExportAsync(OtlpSignal.Metrics, http, services, ct);

    public static Task<IResult> ExportTraces(HttpContext http, [AsParameters] OtlpHttpServices services, CancellationToken ct) =>
        ExportAsync(OtlpSignal.Traces, http, services, ct);

    // No Accepts(...) metadata: routing would then answer other content types with a bare 415 before the handler
    // could say what to send.
    private static void Describe(RouteHandlerBuilder route) => route
        .WithDescription("An OTLP Export*ServiceRequest as application/x-protobuf or application/json (Content-Encoding: gzip "
            + "accepted). Answers 200 with the Export*ServiceResponse in the same encoding once the data is committed.")
        .Produces(StatusCodes.Status200OK, contentType: JsonType, additionalContentTypes: [ProtobufType])
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> ExportAsync(OtlpSignal signal, HttpContext http, OtlpHttpServices services, CancellationToken ct)
    {
        var caller = CurrentUser.From(http.User);
        if (caller is null) return TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "Send an API key.");
        if (OtlpRequestReader.EncodingOf(http.Request.ContentType) is not { } encoding)
            return TypedResults.Problem(statusCode: 415, title: "Unsupported media type",
                detail: $"Send OTLP as {ProtobufType} or {JsonType} (got '{http.Request.ContentType ?? "no content type"}').");
        var contentEncoding = http.Request.Headers.ContentEncoding.ToString().Trim();
        var gzip = contentEncoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && contentEncoding.Length > 0 && !contentEncoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            return TypedResults.Problem(statusCode: 415, title: "Unsupported content encoding",
                detail: $"Content-Encoding '{contentEncoding}' is not supported; send gzip or an uncompressed body.");

        var maxBytes = services.Options.Value.Otlp.MaxBodyBytes;
        using var body = await RequestBody.ReadAsync(http.Request, maxBytes, ct);
        if (body is null) return TooLarge(encoding, maxBytes);
        var payload = body.Memory;
        if (gzip)
        {
            switch (OtlpGzip.TryDecompress(body.Memory, maxBytes, out var inflated, out var length, out var error))
            {
                case OtlpGzip.Outcome.TooLarge:
                    return TooLarge(encoding, maxBytes);
                case OtlpGzip.Outcome.Invalid:
                    return Error(encoding, 400, GrpcStatusCode.InvalidArgument, "Invalid request body", error!);
            }

            payload = inflated.AsMemory(0, length);
        }

        try
        {
            var result = await services.Otlp.ExportAsync(signal, payload.Span, encoding, caller.Id, ct);
            var response = result.ToResponse();
            return encoding == OtlpEncoding.Json
                // Google's formatter writes an empty message as "{ }"; OTLP's examples and clients expect "{}".
                ? TypedResults.Text(response.CalculateSize() == 0 ? "{}" : JsonFormatter.Default.Format(response), JsonType)
                : TypedResults.Bytes(response.ToByteArray(), ProtobufType);
        }
        catch (OtlpFormatException ex)
        {
            return Error(encoding, 400, GrpcStatusCode.InvalidArgument, "Invalid request body", ex.Message);
        }
        catch (IngestionQueueFullException ex)
        {
            RetryAfter(http, ex.RetryAfter);
            return Error(encoding, 429, GrpcStatusCode.ResourceExhausted, "Too many requests",
                "The ingestion queue is full; retry after the indicated delay. Nothing was stored.");
        }
        catch (IngestionFailedException ex)
        {
            RetryAfter(http, ex.RetryAfter);
            return Error(encoding, 503, GrpcStatusCode.Unavailable, "Service unavailable", ex.Message + " Retry after the indicated delay.");
        }
    }

    private static IResult TooLarge(OtlpEncoding encoding, long maxBytes) =>
        Error(encoding, 413, GrpcStatusCode.ResourceExhausted, "Payload too large",
            $"The body is larger than {maxBytes} bytes, compressed or not (DevInsights:Otlp:MaxBodyBytes); export smaller batches.");

    /// <summary>Problem details for JSON callers; a google.rpc.Status (code and message) for protobuf callers.</summary>
    private static IResult Error(OtlpEncoding encoding, int status, GrpcStatusCode code, string title, string detail)
    {
        if (encoding == OtlpEncoding.Protobuf)
            return new StatusBody(OtlpStatus.ToProtobuf(code, detail), status);
        return status == 400
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["$"] = [detail] }, title: title)
            : TypedResults.Problem(statusCode: status, title: title, detail: detail);
    }

    private static void RetryAfter(HttpContext http, TimeSpan retryAfter) =>
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>A google.rpc.Status body with an error status code.</summary>
    private sealed class StatusBody(byte[] body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = ProtobufType;
            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body).AsTask();
        }
    }
}
