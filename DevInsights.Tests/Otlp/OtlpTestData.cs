using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;

namespace DevInsights.Tests.Otlp;

/// <summary>Builders for OTLP requests the fixtures do not cover (other clients, edge cases).</summary>
internal static class OtlpTestData
{
    public static readonly DateTime Start = new(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc);

    public static ulong Nanos(DateTime time) => (ulong)(time - DateTime.UnixEpoch).Ticks * 100;

    public static KeyValue Kv(string key, object? value) => new() { Key = key, Value = Any(value) };

    public static AnyValue Any(object? value) => value switch
    {
        null => new AnyValue(),
        string s => new AnyValue { StringValue = s },
        bool b => new AnyValue { BoolValue = b },
        int i => new AnyValue { IntValue = i },
        long l => new AnyValue { IntValue = l },
        double d => new AnyValue { DoubleValue = d },
        byte[] bytes => new AnyValue { BytesValue = ByteString.CopyFrom(bytes) },
        KeyValue[] kvs => new AnyValue { KvlistValue = new KeyValueList { Values = { kvs } } },
        object[] items => new AnyValue { ArrayValue = new ArrayValue { Values = { items.Select(Any) } } },
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    public static Resource Resource(params KeyValue[] attributes) => new() { Attributes = { attributes } };

    public static LogRecord Log(DateTime time, string? body, params KeyValue[] attributes) => new()
    {
        TimeUnixNano = Nanos(time),
        ObservedTimeUnixNano = Nanos(time),
        Body = body is null ? null : Any(body),
        Attributes = { attributes },
    };

    public static ExportLogsServiceRequest Logs(Resource resource, string scope, params LogRecord[] records) => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = resource,
                ScopeLogs = { new ScopeLogs { Scope = new InstrumentationScope { Name = scope }, LogRecords = { records } } },
            },
        },
    };

    public static ExportMetricsServiceRequest Metrics(Resource resource, params Metric[] metrics) => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics
            {
                Resource = resource,
                ScopeMetrics = { new ScopeMetrics { Scope = new InstrumentationScope { Name = "test" }, Metrics = { metrics } } },
            },
        },
    };

    public static Metric Sum(string name, AggregationTemporality temporality, params NumberDataPoint[] points) => new()
    {
        Name = name,
        Sum = new Sum { AggregationTemporality = temporality, IsMonotonic = true, DataPoints = { points } },
    };

    public static NumberDataPoint Point(DateTime start, DateTime time, double value, params KeyValue[] attributes) => new()
    {
        StartTimeUnixNano = Nanos(start),
        TimeUnixNano = Nanos(time),
        AsDouble = value,
        Attributes = { attributes },
    };

    public static RepeatedField<KeyValue> Attributes(params KeyValue[] attributes) => [.. attributes];
}
