using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace DevInsights.Core.Otlp;

/// <summary>What one export did, in OTLP's terms.</summary>
/// <param name="Received">Log records, data points or spans in the request.</param>
/// <param name="Accepted">Those not rejected (stored, already stored, or deliberately skipped).</param>
/// <param name="Rejected">OTLP partial success: <c>rejectedLogRecords</c>, <c>rejectedDataPoints</c> or <c>rejectedSpans</c>.</param>
/// <param name="Stored">New rows: events for logs, points for metrics, none for traces.</param>
public sealed record OtlpExportResult(OtlpSignal Signal, int Received, int Accepted, int Rejected, int Stored, string? ErrorMessage)
{
    /// <summary>The Export*ServiceResponse to send back: empty on full success, with a partial success otherwise.</summary>
    public IMessage ToResponse()
    {
        var partial = Rejected > 0 || ErrorMessage is not null;
        return Signal switch
        {
            OtlpSignal.Logs => partial
                ? new ExportLogsServiceResponse { PartialSuccess = new() { RejectedLogRecords = Rejected, ErrorMessage = ErrorMessage ?? "" } }
                : new ExportLogsServiceResponse(),
            OtlpSignal.Metrics => partial
                ? new ExportMetricsServiceResponse { PartialSuccess = new() { RejectedDataPoints = Rejected, ErrorMessage = ErrorMessage ?? "" } }
                : new ExportMetricsServiceResponse(),
            OtlpSignal.Traces => partial
                ? new ExportTraceServiceResponse { PartialSuccess = new() { RejectedSpans = Rejected, ErrorMessage = ErrorMessage ?? "" } }
                : new ExportTraceServiceResponse(),
            _ => throw new ArgumentOutOfRangeException(nameof(Signal)),
        };
    }
}
