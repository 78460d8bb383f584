using DevInsights.Core.Ingestion;
using DevInsights.Core.Sessions;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;

namespace DevInsights.Core.Otlp;

/// <summary>What one logs export became.</summary>
/// <param name="Events">The events, in request order.</param>
/// <param name="Sessions">Context per client session id (from the first record of each session), for sessions
/// the writer may have to create.</param>
/// <param name="RecordCount">Log records in the request.</param>
/// <param name="SkippedCount">Records accepted but not stored (Codex stream chunks, SDK diagnostics).</param>
/// <param name="RejectedCount">Records that could not be converted: the OTLP partial-success <c>rejectedLogRecords</c>.</param>
/// <param name="Errors">The first rejection messages, each naming the record's path.</param>
public sealed record OtlpLogsResult(
    IReadOnlyList<IngestEvent> Events,
    IReadOnlyDictionary<string, OtlpResourceContext> Sessions,
    int RecordCount,
    int SkippedCount,
    int RejectedCount,
    IReadOnlyList<string> Errors)
{
    /// <summary>The OTLP partial-success message, or null when nothing was rejected.</summary>
    public string? ErrorMessage => Errors.Count == 0 ? null : string.Join("; ", Errors);
}

/// <summary>
/// ExportLogsServiceRequest → <see cref="IngestEvent"/>s for the ingestion writer, transport-independent.
/// Client detection, session ids, event names and the normalised vocabulary are described on
/// <see cref="OtlpEventTypes"/>. One bad record is rejected and counted; it never fails the batch.
/// Thread-safe: all per-call state lives in the call.
/// </summary>
public sealed class OtlpLogsConverter
{
    private const int MaxTypeLength = 100;

    private readonly OtlpConversionOptions _options;

    public OtlpLogsConverter(OtlpConversionOptions? options = null)
    {
        _options = options ?? OtlpConversionOptions.Default;
        _options.Validate();
    }

    /// <param name="receivedAtUtc">The last-resort timestamp for records that carry none.</param>
    public OtlpLogsResult Convert(ExportLogsServiceRequest request, DateTime receivedAtUtc)
    {
        ArgumentNullException.ThrowIfNull(request);
        var events = new List<IngestEvent>();
        var sessions = new Dictionary<string, OtlpResourceContext>(StringComparer.Ordinal);
        var rejections = new OtlpRejections(_options.MaxErrors);
        var json = new OtlpAttributeJson(_options);
        var ids = new OtlpHasher();
        int records = 0, skipped = 0;

        for (var ri = 0; ri < request.ResourceLogs.Count; ri++)
        {
            var resourceLogs = request.ResourceLogs[ri];
            var resource = resourceLogs.Resource?.Attributes;
            var serviceName = resource is null ? null : OtlpAttributes.String(resource, "service.name");
            string? resourceJson = null;
            for (var si = 0; si < resourceLogs.ScopeLogs.Count; si++)
            {
                var scopeLogs = resourceLogs.ScopeLogs[si];
                var client = OtlpClients.Detect(serviceName, scopeLogs.Scope?.Name);
                for (var li = 0; li < scopeLogs.LogRecords.Count; li++)
                {
                    records++;
                    var record = scopeLogs.LogRecords[li];
                    try
                    {
                        var ev = ConvertRecord(record, client, serviceName, resource, receivedAtUtc, json, ids);
                        if (ev is null)
                        {
                            skipped++;
                            continue;
                        }

                        events.Add(ev);
                        if (!sessions.ContainsKey(ev.ClientSessionId))
                        {
                            resourceJson ??= resource is null ? null : json.Write(resource);
                            sessions[ev.ClientSessionId] = OtlpResourceContext.Create(client, resource, record.Attributes, resourceJson);
                        }
                    }
                    catch (Exception e) when (OtlpRecordException.IsRecordProblem(e))
                    {
                        rejections.Add($"resourceLogs[{ri}].scopeLogs[{si}].logRecords[{li}]", e.Message);
                    }
                }
            }
        }

        return new OtlpLogsResult(events, sessions, records, skipped, rejections.Count, rejections.Messages);
    }

    private static IngestEvent? ConvertRecord(
        LogRecord record, string client, string? serviceName, RepeatedField<KeyValue>? resource,
        DateTime receivedAtUtc, OtlpAttributeJson json, OtlpHasher ids)
    {
        var name = OtlpClients.EventName(client, record);
        var (sessionId, sessionKey) = OtlpClients.SessionOf(record.Attributes, resource);
        // A known client's record without session and event name is its SDK talking about itself
        // (Codex's "flushing OTEL metrics"), not a developer's activity.
        if (sessionId is null && name is null && client != ClientKind.Other)
        {
            return null;
        }

        var timestamp = TimestampOf(record, receivedAtUtc);
        if (string.IsNullOrEmpty(sessionId))
        {
            var machine = OtlpAttributes.First(resource, record.Attributes, "host.id", "host.name", "user.id");
            sessionId = OtlpClients.SyntheticSession(serviceName, machine, timestamp);
        }
        else if (sessionId.Length > OtlpClients.MaxSessionIdLength)
        {
            throw new OtlpRecordException($"session id is longer than {OtlpClients.MaxSessionIdLength} characters");
        }

        var type = name ?? OtlpEventTypes.Log;
        if (type.Length > MaxTypeLength)
        {
            type = type[..MaxTypeLength];
        }

        // Mapped first: skipped records (most of Codex's) cost no attribute JSON.
        var mapped = OtlpEventMapper.Map(client, new IngestEvent { ClientSessionId = sessionId, Timestamp = timestamp, Type = type }, record.Attributes);
        if (mapped is null)
        {
            return null;
        }

        json.Begin();
        json.AddAll(record.Attributes, sessionKey, "event.name");
        if (name is null)
        {
            // A plain log's message and level are its content; an event's body only repeats its name.
            json.Add("body", record.Body);
            if (record.SeverityText.Length > 0)
            {
                json.Add("severity", new AnyValue { StringValue = record.SeverityText });
            }
        }

        if (!record.TraceId.IsEmpty)
        {
            json.Add("trace_id", new AnyValue { StringValue = System.Convert.ToHexStringLower(record.TraceId.Span) });
            json.Add("span_id", new AnyValue { StringValue = System.Convert.ToHexStringLower(record.SpanId.Span) });
        }

        return mapped with
        {
            AttributesJson = json.End(),
            ClientEventId = mapped.ClientEventId ?? ids.EventId(sessionId, mapped.Type, record),
        };
    }

    // OTLP's own timestamps first: nanosecond-precise where event.timestamp has milliseconds, which keeps the
    // order of Codex's records emitted within one millisecond. They agree with event.timestamp within 1-2 ms
    // (Codex sets only observedTimeUnixNano, just after event.timestamp; Claude Code both, ms precision).
    private static DateTime TimestampOf(LogRecord record, DateTime receivedAtUtc)
        => OtlpTime.FromUnixNanos(record.TimeUnixNano)
            ?? OtlpTime.FromUnixNanos(record.ObservedTimeUnixNano)
            ?? OtlpTime.FromIso(OtlpAttributes.String(record.Attributes, "event.timestamp"))
            ?? receivedAtUtc;
}
