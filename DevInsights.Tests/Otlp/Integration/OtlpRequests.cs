using DevInsights.Core.Otlp;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary>Real Claude Code exports (scenario b: a prompt, two tool calls, three API requests) under a session id of
/// the test's own, with resource attributes added as an administrator would through OTEL_RESOURCE_ATTRIBUTES.</summary>
public static class OtlpRequests
{
    public const string Scenario = "b-tool-use-json";

    /// <summary>The prompt Claude Code logged in scenario b (OTEL_LOG_USER_PROMPTS=1): content that only Full share keeps.</summary>
    public const string PromptText = "Add a health check endpoint";

    public static string NewSessionId() => Guid.NewGuid().ToString();

    /// <summary>Scenario b's first logs export (13 records, 2 API requests).</summary>
    public static ExportLogsServiceRequest ClaudeLogs(string sessionId, params (string Key, string Value)[] resource) =>
        Rewrite(Read<ExportLogsServiceRequest>(Requests(Claude, Scenario, "logs")[0]), sessionId, resource);

    /// <summary>Scenario b's second logs export (the last API request and the response).</summary>
    public static ExportLogsServiceRequest ClaudeLaterLogs(string sessionId, params (string Key, string Value)[] resource) =>
        Rewrite(Read<ExportLogsServiceRequest>(Requests(Claude, Scenario, "logs")[1]), sessionId, resource);

    /// <summary>Scenario b's last metrics export (tokens, cost, and 1.271 s of active CLI time).</summary>
    public static ExportMetricsServiceRequest ClaudeMetrics(string sessionId, params (string Key, string Value)[] resource) =>
        Rewrite(Read<ExportMetricsServiceRequest>(Requests(Claude, Scenario, "metrics")[^1]), sessionId, resource);

    /// <summary>Events and API requests in <see cref="ClaudeLogs"/> (checked against the converter, so the tests say why).</summary>
    public static (int Events, int ApiRequests) ClaudeLogsFigures()
    {
        var events = new OtlpLogsConverter().Convert(ClaudeLogs(NewSessionId()), ReceivedAt).Events;
        return (events.Count, events.Count(e => e.Type == OtlpEventTypes.ApiRequest));
    }

    /// <summary>A fresh Claude Code install id (64 hex like the real ones): a machine of the test's own.</summary>
    public static string NewInstallId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    /// <summary>The key <see cref="InstallId"/> passes as a "resource attribute" to replace the records' <c>user.id</c>.</summary>
    public const string InstallId = "test:user.id";

    private static T Rewrite<T>(T request, string sessionId, (string Key, string Value)[] resource)
        where T : IMessage
    {
        var install = resource.Where(r => r.Key == InstallId).Select(r => r.Value).FirstOrDefault();
        foreach (var set in AttributeSets(request))
        {
            foreach (var kv in set.Where(kv => kv.Key == "session.id")) kv.Value = new AnyValue { StringValue = sessionId };
            if (install is null) continue;
            foreach (var kv in set.Where(kv => kv.Key == "user.id")) kv.Value = new AnyValue { StringValue = install };
        }

        foreach (var resourceAttributes in ResourceSets(request))
        {
            foreach (var (key, value) in resource.Where(r => r.Key != InstallId))
                resourceAttributes.Add(new KeyValue { Key = key, Value = new AnyValue { StringValue = value } });
        }

        return request;
    }

    private static IEnumerable<Google.Protobuf.Collections.RepeatedField<KeyValue>> ResourceSets(IMessage request) => request switch
    {
        ExportLogsServiceRequest logs => logs.ResourceLogs.Select(r => r.Resource.Attributes),
        ExportMetricsServiceRequest metrics => metrics.ResourceMetrics.Select(r => r.Resource.Attributes),
        _ => throw new ArgumentOutOfRangeException(nameof(request)),
    };

    private static IEnumerable<Google.Protobuf.Collections.RepeatedField<KeyValue>> AttributeSets(IMessage request) => request switch
    {
        ExportLogsServiceRequest logs => logs.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords).Select(l => l.Attributes),
        ExportMetricsServiceRequest metrics => metrics.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics)
            .SelectMany(m => m.Sum?.DataPoints.Select(p => p.Attributes) ?? []),
        _ => throw new ArgumentOutOfRangeException(nameof(request)),
    };
}
