using DevInsights.Core.Configuration;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Otlp.Attribution;
using DevInsights.Core.Otlp.Storage;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace DevInsights.Core.Otlp;

/// <summary>
/// The one OTLP pipeline: OTLP/HTTP (JSON and protobuf) and OTLP/gRPC are thin transports over it. An export is
/// read, converted, attributed (machine, project, workspace, developer), and stored — log records through the
/// ingestion writer (so a 2xx means committed), metric points through <see cref="OtlpMetricsStore"/> — and the sender
/// is noted in the telemetry health. The result carries OTLP's accepted and rejected counts.
/// </summary>
/// <remarks>Content (prompts, responses, tool input and output) is kept only for developers who share
/// <see cref="Identity.ShareLevel.Full"/>. The developer is known only after attribution, so records are converted for
/// the API key owner's share level first, and converted again for sessions whose developer shares otherwise.</remarks>
public sealed class OtlpIngestionService
{
    private const string Source = "otlp";

    private readonly IngestionQueue _queue;
    private readonly OtlpAttributor _attributor;
    private readonly OtlpSessionPlacer _placer;
    private readonly OtlpMetricsStore _metrics;
    private readonly TelemetryHealth _health;
    private readonly TimeProvider _clock;
    private readonly OtlpLogsConverter _logsWithContent;
    private readonly OtlpLogsConverter _logsWithoutContent;
    private readonly OtlpMetricsConverter _metricsConverter;
    private readonly OtlpTracesConverter _tracesConverter = new();

    public OtlpIngestionService(IngestionQueue queue, OtlpAttributor attributor, OtlpSessionPlacer placer, OtlpMetricsStore metrics,
        TelemetryHealth health, CumulativeState cumulative, IOptions<DevInsightsOptions> options, TimeProvider clock)
    {
        _queue = queue;
        _attributor = attributor;
        _placer = placer;
        _metrics = metrics;
        _health = health;
        _clock = clock;
        var limits = new OtlpConversionOptions
        {
            MaxAttributeCount = options.Value.Ingestion.MaxAttributeCount,
            MaxAttributeValueLength = options.Value.Ingestion.MaxAttributeValueLength,
        };
        _logsWithContent = new OtlpLogsConverter(limits with { KeepContent = true });
        _logsWithoutContent = new OtlpLogsConverter(limits);
        _metricsConverter = new OtlpMetricsConverter(cumulative, limits);
    }

    /// <summary>Reads <paramref name="body"/> as the signal's export request and ingests it for the key owner <paramref name="callerId"/>.</summary>
    /// <exception cref="OtlpFormatException">The body is not a valid request in that encoding (answer 400 / INVALID_ARGUMENT).</exception>
    /// <exception cref="IngestionQueueFullException">Nothing was stored; the client should retry later (429 / RESOURCE_EXHAUSTED).</exception>
    /// <exception cref="IngestionFailedException">Nothing was stored; the client should retry later (503 / UNAVAILABLE).</exception>
    /// <remarks>Sessions that exist keep their developer (telemetry attributed by identity may come with anyone's key), so
    /// the writer never refuses an OTLP export for ownership.</remarks>
    public Task<OtlpExportResult> ExportAsync(OtlpSignal signal, ReadOnlySpan<byte> body, OtlpEncoding encoding, string callerId, CancellationToken ct) =>
        signal switch
        {
            OtlpSignal.Logs => ExportLogsAsync(OtlpRequestReader.Read<ExportLogsServiceRequest>(body, encoding), callerId, ct),
            OtlpSignal.Metrics => ExportMetricsAsync(OtlpRequestReader.Read<ExportMetricsServiceRequest>(body, encoding), callerId, ct),
            OtlpSignal.Traces => ExportTracesAsync(OtlpRequestReader.Read<ExportTraceServiceRequest>(body, encoding), callerId, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(signal)),
        };

    public async Task<OtlpExportResult> ExportLogsAsync(ExportLogsServiceRequest request, string callerId, CancellationToken ct)
    {
        var receivedAt = _clock.GetUtcNow().UtcDateTime;
        var ownerKeepsContent = ContentFilter.KeepsContent(await _attributor.ShareLevelAsync(callerId, ct));
        var converted = (ownerKeepsContent ? _logsWithContent : _logsWithoutContent).Convert(request, receivedAt);
        var attributed = await AttributeAsync(converted.Sessions, callerId, ct);

        var events = converted.Events;
        var otherShare = attributed.Where(s => s.Value.Attribution.KeepsContent != ownerKeepsContent).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        if (otherShare.Count > 0)
        {
            // Same request, same order, same records: only the attributes differ.
            var other = (ownerKeepsContent ? _logsWithoutContent : _logsWithContent).Convert(request, receivedAt).Events;
            events = events.Select((e, i) => otherShare.Contains(e.ClientSessionId) ? other[i] : e).ToList();
        }

        var stored = 0;
        if (events.Count > 0)
        {
            var batch = new IngestBatch(Source, events, OtlpSessionPlacer.ContextsFor(attributed));
            stored = (await _queue.SubmitAsync(batch, ct)).Inserted;
            await _placer.SettleAsync(attributed, ct);
        }

        await _health.RecordAsync(OtlpSignal.Logs, Senders(attributed.Values, callerId), ct);
        return new OtlpExportResult(OtlpSignal.Logs, converted.RecordCount, converted.RecordCount - converted.RejectedCount,
            converted.RejectedCount, stored, converted.ErrorMessage);
    }

    public async Task<OtlpExportResult> ExportMetricsAsync(ExportMetricsServiceRequest request, string callerId, CancellationToken ct)
    {
        // Cumulative series advance here, before storage: an export whose storage fails and is retried loses the
        // increment of its cumulative points (their ids were never stored, but the state has moved on). Claude Code
        // and Codex send delta temporality by default, which has no such state.
        var converted = _metricsConverter.Convert(request);
        var sessions = await AttributeAsync(converted.Sessions, callerId, ct);
        var senders = new Dictionary<OtlpResourceContext, OtlpAttribution>();
        var points = new List<OtlpPointToStore>(converted.Points.Count);
        foreach (var point in converted.Points)
        {
            if (point.ClientSessionId is { } session && sessions.TryGetValue(session, out var known))
            {
                points.Add(new OtlpPointToStore(point, known.Attribution.MachineId, known.Attribution.DeveloperId));
                continue;
            }

            var context = point.Context ?? throw new InvalidOperationException("The converter gives every point a context.");
            if (!senders.TryGetValue(context, out var sender)) senders[context] = sender = await _attributor.ResolveAsync(context, callerId, ct);
            points.Add(new OtlpPointToStore(point, sender.MachineId, sender.DeveloperId));
        }

        var stored = 0;
        if (points.Count > 0)
        {
            var placement = await _placer.PlaceAsync(sessions, ct);
            try
            {
                stored = (await _metrics.WriteAsync(points, placement.Contexts, placement.Existing, ct)).Inserted;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                throw new IngestionFailedException("The metric points could not be stored; nothing of the export was committed.", ex);
            }
        }

        await _health.RecordAsync(OtlpSignal.Metrics,
            Senders(sessions.Values, callerId).Concat(senders.Select(s => (s.Value.MachineId, (string?)s.Value.DeveloperId, s.Key.Client))), ct);
        return new OtlpExportResult(OtlpSignal.Metrics, converted.DataPointCount, converted.DataPointCount - converted.RejectedCount,
            converted.RejectedCount, stored, converted.ErrorMessage);
    }

    public async Task<OtlpExportResult> ExportTracesAsync(ExportTraceServiceRequest request, string callerId, CancellationToken ct)
    {
        var converted = _tracesConverter.Convert(request);
        var senders = new List<(long?, string?, string)>();
        foreach (var context in converted.Contexts.Distinct())
        {
            var a = await _attributor.ResolveAsync(context, callerId, ct);
            senders.Add((a.MachineId, a.DeveloperId, context.Client));
        }

        await _health.RecordAsync(OtlpSignal.Traces, senders.Count > 0 ? senders : [(null, callerId, Sessions.ClientKind.Other)], ct);
        return new OtlpExportResult(OtlpSignal.Traces, converted.SpanCount, converted.SpanCount - converted.RejectedCount, converted.RejectedCount, 0, null);
    }

    private async Task<Dictionary<string, (string Client, OtlpAttribution Attribution)>> AttributeAsync(
        IReadOnlyDictionary<string, OtlpResourceContext> sessions, string callerId, CancellationToken ct)
    {
        var attributed = new Dictionary<string, (string, OtlpAttribution)>(sessions.Count, StringComparer.Ordinal);
        foreach (var (sessionId, context) in sessions) attributed[sessionId] = (context.Client, await _attributor.ResolveAsync(context, callerId, ct));
        return attributed;
    }

    private static IEnumerable<(long? MachineId, string? DeveloperId, string Client)> Senders(
        IEnumerable<(string Client, OtlpAttribution Attribution)> sessions, string callerId)
    {
        var any = false;
        foreach (var (client, a) in sessions)
        {
            any = true;
            yield return (a.MachineId, a.DeveloperId, client);
        }

        // An export without sessions (SDK diagnostics only) still says the key owner's telemetry is flowing.
        if (!any) yield return (null, callerId, Sessions.ClientKind.Other);
    }
}
