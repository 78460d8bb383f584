using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using Frame = DevInsights.Core.Otlp.OtlpMetricsConverter.Frame;

namespace DevInsights.Core.Otlp;

/// <summary>One OTLP data point of any kind → <see cref="OtlpMetricPoint"/>, with its increment.</summary>
internal static class OtlpMetricPoints
{
    /// <returns>The point, or null for a point flagged "no recorded value" (accepted, nothing to keep).</returns>
    /// <exception cref="OtlpRecordException">The point cannot be stored (no time, no value, unusable numbers).</exception>
    public static OtlpMetricPoint? Convert(
        object dataPoint, Frame f, OtlpMetricKind kind, OtlpTemporality temporality, bool monotonic,
        OtlpMetricsConverter.Call call, CumulativeState state)
    {
        var attributes = OtlpMetricsConverter.PointAttributes(dataPoint);
        var (start, time, flags) = dataPoint switch
        {
            NumberDataPoint p => (p.StartTimeUnixNano, p.TimeUnixNano, p.Flags),
            HistogramDataPoint p => (p.StartTimeUnixNano, p.TimeUnixNano, p.Flags),
            ExponentialHistogramDataPoint p => (p.StartTimeUnixNano, p.TimeUnixNano, p.Flags),
            SummaryDataPoint p => (p.StartTimeUnixNano, p.TimeUnixNano, p.Flags),
            _ => throw new ArgumentOutOfRangeException(nameof(dataPoint)),
        };
        if ((flags & (uint)DataPointFlags.NoRecordedValueMask) != 0)
        {
            return null;
        }

        var timeUtc = OtlpTime.FromUnixNanos(time) ?? throw new OtlpRecordException("timeUnixNano is missing or out of range");
        if (kind != OtlpMetricKind.Gauge && temporality == OtlpTemporality.Unspecified)
        {
            throw new OtlpRecordException("aggregationTemporality is unspecified");
        }

        var seriesKey = call.Hasher.Text(f.ResourceKey).Text(f.ScopeName ?? "").Text(f.ScopeVersion ?? "").Text(f.Metric.Name)
            .Sorted(attributes).Finish();
        var point = new OtlpMetricPoint
        {
            ClientSessionId = OtlpClients.SessionOf(attributes, f.Resource).Id is { Length: > 0 and <= OtlpClients.MaxSessionIdLength } id ? id : null,
            Client = f.Client,
            ServiceName = f.ServiceName,
            ScopeName = f.ScopeName is null ? null : OtlpAttributes.Clean(f.ScopeName),
            Name = OtlpAttributes.Clean(f.Metric.Name),
            Unit = f.Metric.Unit.Length == 0 ? null : OtlpAttributes.Clean(f.Metric.Unit),
            Kind = kind,
            Temporality = temporality,
            IsMonotonic = monotonic,
            SeriesKey = seriesKey,
            PointId = call.Hasher.Text(seriesKey).Number(start).Number(time).Finish(),
            AttributesJson = call.Json.Write(attributes),
            StartTime = OtlpTime.FromUnixNanos(start),
            Time = timeUtc,
            SessionFigure = OtlpSessionTotals.FigureOf(f.Metric.Name, attributes),
        };

        // Delta points are increments already; cumulative ones go through the state.
        (double? Value, double? Sum) Increments(double value, double sum)
            => temporality == OtlpTemporality.Delta ? (value, sum) : state.Advance(seriesKey, start, time, value, sum, monotonic);

        switch (dataPoint)
        {
            case NumberDataPoint p:
                var value = p.ValueCase switch
                {
                    NumberDataPoint.ValueOneofCase.AsDouble => p.AsDouble,
                    NumberDataPoint.ValueOneofCase.AsInt => p.AsInt,
                    _ => throw new OtlpRecordException("the point has no value"),
                };
                Finite(value, "value");
                return point with
                {
                    Value = value,
                    Increment = kind == OtlpMetricKind.Gauge ? null : Increments(value, 0).Value,
                };
            case HistogramDataPoint p:
                if (p.BucketCounts.Count != 0 && p.BucketCounts.Count != p.ExplicitBounds.Count + 1)
                {
                    throw new OtlpRecordException($"{p.BucketCounts.Count} bucket counts for {p.ExplicitBounds.Count} bounds (expected bounds + 1)");
                }

                return Counted(point, p.Count, p.HasSum ? p.Sum : null, p.HasMin ? p.Min : null, p.HasMax ? p.Max : null,
                    Buckets(w =>
                    {
                        Numbers(w, "bounds", p.ExplicitBounds);
                        Numbers(w, "counts", p.BucketCounts);
                    }), Increments);
            case ExponentialHistogramDataPoint p:
                return Counted(point, p.Count, p.HasSum ? p.Sum : null, p.HasMin ? p.Min : null, p.HasMax ? p.Max : null,
                    Buckets(w =>
                    {
                        w.WriteNumber("scale", p.Scale);
                        w.WriteNumber("zeroCount", p.ZeroCount);
                        ExponentialBuckets(w, "positive", p.Positive);
                        ExponentialBuckets(w, "negative", p.Negative);
                    }), Increments);
            case SummaryDataPoint p:
                return Counted(point, p.Count, p.Sum, null, null, Buckets(w =>
                {
                    w.WriteStartArray("quantiles");
                    foreach (var q in p.QuantileValues)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("q", Finite(q.Quantile, "quantile"));
                        w.WriteNumber("v", Finite(q.Value, "quantile value"));
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }), Increments);
            default:
                throw new ArgumentOutOfRangeException(nameof(dataPoint));
        }
    }

    private static OtlpMetricPoint Counted(
        OtlpMetricPoint point, ulong count, double? sum, double? min, double? max, string buckets,
        Func<double, double, (double? Value, double? Sum)> increments)
    {
        if (count > long.MaxValue)
        {
            throw new OtlpRecordException("count is out of range");
        }

        var (countIncrement, sumIncrement) = increments(count, Finite(sum ?? 0, "sum"));
        return point with
        {
            Count = (long)count,
            Sum = sum,
            Min = min is { } mn ? Finite(mn, "min") : null,
            Max = max is { } mx ? Finite(mx, "max") : null,
            Increment = countIncrement,
            SumIncrement = sum is null ? null : sumIncrement,
            BucketsJson = buckets,
        };
    }

    private static string Buckets(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        write(writer);
        writer.WriteEndObject();
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Numbers(Utf8JsonWriter w, string name, RepeatedField<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(Finite(v, name));
        }

        w.WriteEndArray();
    }

    private static void Numbers(Utf8JsonWriter w, string name, RepeatedField<ulong> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static void ExponentialBuckets(Utf8JsonWriter w, string name, ExponentialHistogramDataPoint.Types.Buckets? buckets)
    {
        if (buckets is null)
        {
            return;
        }

        w.WriteStartObject(name);
        w.WriteNumber("offset", buckets.Offset);
        Numbers(w, "counts", buckets.BucketCounts);
        w.WriteEndObject();
    }

    private static double Finite(double value, string what)
        => double.IsFinite(value) ? value : throw new OtlpRecordException($"{what} is not a finite number");
}
