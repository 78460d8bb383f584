using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;

namespace DevInsights.Core.Otlp;

/// <summary>What one metrics export became.</summary>
/// <param name="Points">Every accepted data point, as a series point (any sender, any metric).</param>
/// <param name="SessionMetrics">Per session: the figures only metrics carry (active time, lines, commits, PRs,
/// edit decisions); every session seen on a point is listed, with zeros where it had none of them.</param>
/// <param name="Sessions">Context per client session id, for sessions the writer may have to create (metrics
/// may arrive before the session's first log record).</param>
/// <param name="DataPointCount">Data points in the request.</param>
/// <param name="RejectedCount">The OTLP partial-success <c>rejectedDataPoints</c>.</param>
public sealed record OtlpMetricsResult(
    IReadOnlyList<OtlpMetricPoint> Points,
    IReadOnlyList<OtlpSessionMetrics> SessionMetrics,
    IReadOnlyDictionary<string, OtlpResourceContext> Sessions,
    int DataPointCount,
    int RejectedCount,
    IReadOnlyList<string> Errors)
{
    public string? ErrorMessage => Errors.Count == 0 ? null : string.Join("; ", Errors);
}

/// <summary>
/// ExportMetricsServiceRequest → series points plus session aggregates, for delta and cumulative
/// temporality alike (cumulative values become increments through the injected <see cref="CumulativeState"/>,
/// the only state; everything else is per call). One bad data point is rejected and counted.
/// </summary>
public sealed class OtlpMetricsConverter
{
    private readonly CumulativeState _state;
    private readonly OtlpConversionOptions _options;

    public OtlpMetricsConverter(CumulativeState state, OtlpConversionOptions? options = null)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _options = options ?? OtlpConversionOptions.Default;
        _options.Validate();
    }

    public OtlpMetricsResult Convert(ExportMetricsServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = new Call(_options);
        for (var ri = 0; ri < request.ResourceMetrics.Count; ri++)
        {
            var resourceMetrics = request.ResourceMetrics[ri];
            var resource = resourceMetrics.Resource?.Attributes;
            var serviceName = resource is null ? null : OtlpAttributes.String(resource, "service.name");
            var resourceKey = call.Hasher.Text("resource").Sorted(resource).Finish();
            var resourceJson = new Lazy<string?>(() => resource is null ? null : call.Json.Write(resource));
            for (var si = 0; si < resourceMetrics.ScopeMetrics.Count; si++)
            {
                var scopeMetrics = resourceMetrics.ScopeMetrics[si];
                var scope = scopeMetrics.Scope;
                var client = OtlpClients.Detect(serviceName, scope?.Name);
                var resourceContext = new Lazy<OtlpResourceContext>(() => OtlpResourceContext.Create(client, resource, null, resourceJson.Value));
                for (var mi = 0; mi < scopeMetrics.Metrics.Count; mi++)
                {
                    var metric = scopeMetrics.Metrics[mi];
                    var frame = new Frame(client, serviceName, resource, resourceKey, resourceJson, resourceContext, scope?.Name, scope?.Version, metric,
                        $"resourceMetrics[{ri}].scopeMetrics[{si}].metrics[{mi}]");
                    ConvertMetric(frame, call);
                }
            }
        }

        return new OtlpMetricsResult(call.Points, call.Sessions.Values.Select(s => s.ToResult()).ToList(), call.Contexts,
            call.DataPoints, call.Rejections.Count, call.Rejections.Messages);
    }

    private void ConvertMetric(Frame f, Call call)
    {
        var metric = f.Metric;
        var (points, kind, temporality, monotonic) = metric.DataCase switch
        {
            Metric.DataOneofCase.Gauge => ((IReadOnlyList<object>)metric.Gauge.DataPoints, OtlpMetricKind.Gauge, OtlpTemporality.Unspecified, false),
            Metric.DataOneofCase.Sum => (metric.Sum.DataPoints, OtlpMetricKind.Sum, (OtlpTemporality)metric.Sum.AggregationTemporality, metric.Sum.IsMonotonic),
            Metric.DataOneofCase.Histogram => (metric.Histogram.DataPoints, OtlpMetricKind.Histogram, (OtlpTemporality)metric.Histogram.AggregationTemporality, true),
            Metric.DataOneofCase.ExponentialHistogram => (metric.ExponentialHistogram.DataPoints, OtlpMetricKind.ExponentialHistogram,
                (OtlpTemporality)metric.ExponentialHistogram.AggregationTemporality, true),
            Metric.DataOneofCase.Summary => (metric.Summary.DataPoints, OtlpMetricKind.Summary, OtlpTemporality.Cumulative, true),
            _ => ((IReadOnlyList<object>)[], OtlpMetricKind.Gauge, OtlpTemporality.Unspecified, false),
        };
        if (metric.DataCase == Metric.DataOneofCase.None || metric.Name.Length == 0)
        {
            // A metric without data has no points to count; reject it as one so the sender hears about it.
            var items = Math.Max(1, points.Count);
            call.DataPoints += items;
            call.Rejections.Add(f.Path, metric.Name.Length == 0 ? "metric has no name" : $"metric '{metric.Name}' has no data", items);
            return;
        }

        call.DataPoints += points.Count;
        for (var pi = 0; pi < points.Count; pi++)
        {
            try
            {
                var point = OtlpMetricPoints.Convert(points[pi], f, kind, temporality, monotonic, call, _state);
                if (point is not null)
                {
                    call.Points.Add(call.Aggregate(point, PointAttributes(points[pi]), f));
                }
            }
            catch (Exception e) when (OtlpRecordException.IsRecordProblem(e))
            {
                call.Rejections.Add($"{f.Path}.dataPoints[{pi}]", $"'{metric.Name}': {e.Message}");
            }
        }
    }

    internal static RepeatedField<KeyValue> PointAttributes(object point) => point switch
    {
        NumberDataPoint p => p.Attributes,
        HistogramDataPoint p => p.Attributes,
        ExponentialHistogramDataPoint p => p.Attributes,
        SummaryDataPoint p => p.Attributes,
        _ => throw new ArgumentOutOfRangeException(nameof(point)),
    };

    /// <summary>Where a metric sits and what its resource and scope say.</summary>
    internal sealed record Frame(
        string Client, string? ServiceName, RepeatedField<KeyValue>? Resource, string ResourceKey, Lazy<string?> ResourceJson,
        Lazy<OtlpResourceContext> ResourceContext, string? ScopeName, string? ScopeVersion, Metric Metric, string Path);

    /// <summary>Per-call state: outputs, reusable writers, session totals.</summary>
    internal sealed class Call(OtlpConversionOptions options)
    {
        public OtlpHasher Hasher { get; } = new();
        public OtlpAttributeJson Json { get; } = new(options);
        public List<OtlpMetricPoint> Points { get; } = [];
        public Dictionary<string, OtlpResourceContext> Contexts { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, OtlpSessionTotals> Sessions { get; } = new(StringComparer.Ordinal);
        public OtlpRejections Rejections { get; } = new(options.MaxErrors);
        public int DataPoints { get; set; }

        /// <summary>Adds the point to its session's totals; returns it with its context.</summary>
        public OtlpMetricPoint Aggregate(OtlpMetricPoint point, RepeatedField<KeyValue> attributes, Frame f)
        {
            if (point.ClientSessionId is not { } sessionId)
            {
                return point with { Context = f.ResourceContext.Value };
            }

            if (!Sessions.TryGetValue(sessionId, out var totals))
            {
                Sessions[sessionId] = totals = new OtlpSessionTotals(sessionId);
                Contexts.TryAdd(sessionId, OtlpResourceContext.Create(f.Client, f.Resource, attributes, f.ResourceJson.Value));
            }

            totals.Add(point);
            return point with { Context = Contexts[sessionId] };
        }
    }
}
