using DevInsights.Core.Otlp;
using OpenTelemetry.Proto.Metrics.V1;
using static DevInsights.Tests.Otlp.OtlpTestData;

namespace DevInsights.Tests.Otlp;

public sealed class OtlpMetricsConverterTests
{
    private static readonly OpenTelemetry.Proto.Resource.V1.Resource _claude = Resource(Kv("service.name", "claude-code"), Kv("service.version", "2.1.328"));

    private static NumberDataPoint Lines(DateTime time, double value, string type)
        => Point(Start, time, value, Kv("session.id", "s-1"), Kv("user.id", "install-1"), Kv("type", type), Kv("model", "claude-sonnet-4-5"));

    [Fact]
    public void Cumulative_SumsBecomeIncrements_AcrossExports()
    {
        var converter = new OtlpMetricsConverter(new CumulativeState(Start.AddHours(-1)));
        OtlpMetricsResult Export(DateTime time, double added, double removed) => converter.Convert(Metrics(_claude,
            Sum("claude_code.lines_of_code.count", AggregationTemporality.Cumulative, Lines(time, added, "added"), Lines(time, removed, "removed"))));

        var first = Export(Start.AddMinutes(1), 10, 2);
        var second = Export(Start.AddMinutes(2), 25, 2);
        var replay = Export(Start.AddMinutes(2), 25, 2);

        Assert.Equal((10L, 2L), (first.SessionMetrics[0].LinesAdded, first.SessionMetrics[0].LinesRemoved));
        Assert.Equal((15L, 0L), (second.SessionMetrics[0].LinesAdded, second.SessionMetrics[0].LinesRemoved));
        // The same export posted again adds nothing, and its points keep their ids for idempotent storage.
        Assert.Equal((0L, 0L), (replay.SessionMetrics[0].LinesAdded, replay.SessionMetrics[0].LinesRemoved));
        Assert.Equal(second.Points.Select(p => p.PointId), replay.Points.Select(p => p.PointId));
        Assert.Equal([25.0, 2.0], second.Points.Select(p => p.Value!.Value));
        Assert.All(second.Points, p => Assert.Equal(OtlpTemporality.Cumulative, p.Temporality));
        Assert.Equal(first.Points[0].SeriesKey, second.Points[0].SeriesKey);
        Assert.NotEqual(second.Points[0].SeriesKey, second.Points[1].SeriesKey);
        Assert.NotEqual(first.Points[0].PointId, second.Points[0].PointId);
    }

    [Fact]
    public void Cumulative_ResetsAndBaselines()
    {
        var state = new CumulativeState(Start);
        var converter = new OtlpMetricsConverter(state);
        double? Increment(DateTime start, DateTime time, double value) => converter.Convert(Metrics(_claude,
            Sum("claude_code.commit.count", AggregationTemporality.Cumulative, Point(start, time, value, Kv("session.id", "s-1"))))).Points[0].Increment;

        // Started before tracking began: the first value may hold increments counted before a restart.
        Assert.Null(Increment(Start.AddHours(-2), Start.AddMinutes(1), 7));
        Assert.Equal(2, Increment(Start.AddHours(-2), Start.AddMinutes(2), 9));
        // A lower value of a monotonic sum, or a new start time, is a restarted series.
        Assert.Equal(4, Increment(Start.AddHours(-2), Start.AddMinutes(3), 4));
        Assert.Equal(1, Increment(Start.AddMinutes(5), Start.AddMinutes(6), 1));
        // An older point arriving late adds nothing.
        Assert.Equal(0, Increment(Start.AddMinutes(5), Start.AddMinutes(4), 1));
        Assert.Equal(1, state.Count);
    }

    [Fact]
    public void ClaudeSessionFigures_ComeFromTheirMetrics()
    {
        var t = Start.AddMinutes(1);
        var metrics = Metrics(_claude,
            Sum("claude_code.active_time.total", AggregationTemporality.Delta,
                Point(Start, t, 12.5, Kv("session.id", "s-1"), Kv("type", "user")), Point(Start, t, 3.25, Kv("session.id", "s-1"), Kv("type", "cli"))),
            Sum("claude_code.lines_of_code.count", AggregationTemporality.Delta, Lines(t, 40, "added"), Lines(t, 6, "removed")),
            Sum("claude_code.commit.count", AggregationTemporality.Delta, Point(Start, t, 2, Kv("session.id", "s-1"))),
            Sum("claude_code.pull_request.count", AggregationTemporality.Delta, Point(Start, t, 1, Kv("session.id", "s-1"))),
            Sum("claude_code.code_edit_tool.decision", AggregationTemporality.Delta,
                Point(Start, t, 3, Kv("session.id", "s-1"), Kv("tool_name", "Edit"), Kv("decision", "accept"), Kv("language", "Python")),
                Point(Start, t, 1, Kv("session.id", "s-1"), Kv("tool_name", "Write"), Kv("decision", "reject"), Kv("language", "Markdown")),
                Point(Start, t, 2, Kv("session.id", "s-1"), Kv("tool_name", "Edit"), Kv("decision", "accept"), Kv("language", "Python"), Kv("source", "hook"))),
            Sum("claude_code.token.usage", AggregationTemporality.Delta, Point(Start, t, 999, Kv("session.id", "s-1"), Kv("type", "input"))),
            Sum("claude_code.session.count", AggregationTemporality.Delta, Point(Start, t, 1, Kv("session.id", "s-2"))));

        var result = new OtlpMetricsConverter(new CumulativeState(DateTime.MinValue)).Convert(metrics);

        Assert.Equal(["s-1", "s-2"], result.SessionMetrics.Select(s => s.ClientSessionId));
        var s = result.SessionMetrics[0];
        Assert.Equal((12.5, 3.25, 40L, 6L, 2L, 1L), (s.ActiveTimeUserSeconds, s.ActiveTimeCliSeconds, s.LinesAdded, s.LinesRemoved, s.Commits, s.PullRequests));
        Assert.Equal([new OtlpCodeEditDecision("Edit", "accept", "Python", 5), new OtlpCodeEditDecision("Write", "reject", "Markdown", 1)], s.CodeEditDecisions);
        Assert.Equal((t, t), (s.FirstTime, s.LastTime));
        Assert.Equal(0, result.SessionMetrics[1].LinesAdded);
        Assert.Equal(11, result.Points.Count);
        Assert.Equal(["s-1", "s-2"], result.Sessions.Keys.Order());
        Assert.Equal(("claude-code", "2.1.328"), (result.Sessions["s-1"].Client, result.Sessions["s-1"].ServiceVersion));
    }

    [Fact]
    public void Histograms_Gauges_AndSummaries_AreKeptAsSeries()
    {
        var state = new CumulativeState(DateTime.MinValue);
        HistogramDataPoint Histogram(DateTime time, ulong count, double sum, params ulong[] buckets) => new()
        {
            StartTimeUnixNano = Nanos(Start), TimeUnixNano = Nanos(time), Count = count, Sum = sum, Min = 1, Max = 90,
            ExplicitBounds = { 10, 100 }, BucketCounts = { buckets },
        };
        Metric Latency(DateTime time, ulong count, double sum, params ulong[] buckets) => new()
        {
            Name = "http.duration", Unit = "ms",
            Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { Histogram(time, count, sum, buckets) } },
        };
        var converter = new OtlpMetricsConverter(state);
        var other = Resource(Kv("service.name", "api-gateway"));

        converter.Convert(Metrics(other, Latency(Start.AddMinutes(1), 4, 100, 2, 2, 0)));
        var result = converter.Convert(Metrics(other, Latency(Start.AddMinutes(2), 6, 250, 2, 3, 1),
            new Metric { Name = "queue.depth", Gauge = new Gauge { DataPoints = { Point(Start, Start.AddMinutes(2), 17) } } },
            new Metric
            {
                Name = "rpc.latency",
                Summary = new Summary { DataPoints = { new SummaryDataPoint { TimeUnixNano = Nanos(Start.AddMinutes(2)), Count = 8, Sum = 40,
                    QuantileValues = { new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 4.5 } } } } },
            },
            new Metric
            {
                Name = "payload.size",
                ExponentialHistogram = new ExponentialHistogram
                {
                    AggregationTemporality = AggregationTemporality.Delta,
                    DataPoints = { new ExponentialHistogramDataPoint { TimeUnixNano = Nanos(Start.AddMinutes(2)), Count = 3, Sum = 12, Scale = 2, ZeroCount = 1,
                        Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = -1, BucketCounts = { 1, 1 } } } },
                },
            }));

        Assert.Equal(0, result.RejectedCount);
        var latency = result.Points[0];
        Assert.Equal((OtlpMetricKind.Histogram, 6L, 250.0, 2.0, 150.0, 1.0, 90.0), (latency.Kind, latency.Count!.Value, latency.Sum!.Value, latency.Increment!.Value,
            latency.SumIncrement!.Value, latency.Min!.Value, latency.Max!.Value));
        Assert.Equal("""{"bounds":[10,100],"counts":[2,3,1]}""", latency.BucketsJson);
        var gauge = result.Points[1];
        Assert.Equal((OtlpMetricKind.Gauge, OtlpTemporality.Unspecified, 17.0, (double?)null), (gauge.Kind, gauge.Temporality, gauge.Value!.Value, gauge.Increment));
        var summary = result.Points[2];
        Assert.Equal((OtlpMetricKind.Summary, OtlpTemporality.Cumulative, """{"quantiles":[{"q":0.5,"v":4.5}]}"""), (summary.Kind, summary.Temporality, summary.BucketsJson));
        // A summary without a start time gives no baseline: its first point is not an increment.
        Assert.Null(summary.Increment);
        var exponential = result.Points[3];
        Assert.Equal("""{"scale":2,"zeroCount":1,"positive":{"offset":-1,"counts":[1,1]}}""", exponential.BucketsJson);
        Assert.Equal((3.0, 12.0), (exponential.Increment!.Value, exponential.SumIncrement!.Value));
        Assert.All(result.Points, p => Assert.Null(p.ClientSessionId));
        Assert.Empty(result.SessionMetrics);
    }

    [Fact]
    public void BadPoints_AreRejectedOneByOne()
    {
        var noTime = Point(Start, Start, 1);
        noTime.TimeUnixNano = 0;
        var noValue = new NumberDataPoint { TimeUnixNano = Nanos(Start) };
        var notRecorded = new NumberDataPoint { TimeUnixNano = Nanos(Start), Flags = (uint)DataPointFlags.NoRecordedValueMask };
        var metrics = Metrics(_claude,
            Sum("ok", AggregationTemporality.Delta, Point(Start, Start, 1), noTime, Point(Start, Start, double.NaN), noValue, notRecorded),
            Sum("no.temporality", AggregationTemporality.Unspecified, Point(Start, Start, 1)),
            new Metric { Name = "empty" },
            new Metric
            {
                Name = "bad.histogram",
                Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Delta,
                    DataPoints = { new HistogramDataPoint { TimeUnixNano = Nanos(Start), Count = 1, ExplicitBounds = { 1, 2 }, BucketCounts = { 1 } } } },
            });

        var result = new OtlpMetricsConverter(new CumulativeState(DateTime.MinValue)).Convert(metrics);

        Assert.Equal((8, 6), (result.DataPointCount, result.RejectedCount));
        Assert.Equal(["ok"], result.Points.Select(p => p.Name));
        Assert.Equal(
        [
            "resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[1]: 'ok': timeUnixNano is missing or out of range",
            "resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[2]: 'ok': value is not a finite number",
            "resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints[3]: 'ok': the point has no value",
            "resourceMetrics[0].scopeMetrics[0].metrics[1].dataPoints[0]: 'no.temporality': aggregationTemporality is unspecified",
            "resourceMetrics[0].scopeMetrics[0].metrics[2]: metric 'empty' has no data",
            "resourceMetrics[0].scopeMetrics[0].metrics[3].dataPoints[0]: 'bad.histogram': 1 bucket counts for 2 bounds (expected bounds + 1)",
        ], result.Errors);
    }

    [Fact]
    public void SeriesKeys_IgnoreAttributeOrder()
    {
        var converter = new OtlpMetricsConverter(new CumulativeState(DateTime.MinValue));
        var a = converter.Convert(Metrics(Resource(Kv("service.name", "codex_exec"), Kv("os", "Debian")),
            Sum("codex.tool.call", AggregationTemporality.Delta, Point(Start, Start, 1, Kv("tool", "exec_command"), Kv("success", "true")))));
        var b = converter.Convert(Metrics(Resource(Kv("os", "Debian"), Kv("service.name", "codex_exec")),
            Sum("codex.tool.call", AggregationTemporality.Delta, Point(Start, Start, 1, Kv("success", "true"), Kv("tool", "exec_command")))));

        Assert.Equal(a.Points[0].SeriesKey, b.Points[0].SeriesKey);
        Assert.Equal(a.Points[0].PointId, b.Points[0].PointId);
        Assert.Equal("""{"tool":"exec_command","success":"true"}""", a.Points[0].AttributesJson);
    }
}
