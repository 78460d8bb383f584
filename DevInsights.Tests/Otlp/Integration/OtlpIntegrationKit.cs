using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DevInsights.Core.Otlp;
using DevInsights.Core.Otlp.Storage;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using Google.Protobuf;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary>A session as stored, in every figure OTLP ingestion produces: compared across runs, encodings and retries.</summary>
public sealed record SessionFigures(
    string Client, string? DeveloperId, string? Machine, string Project, string? Workspace,
    long Events, string EventTypes, long ApiRequests, long ApiErrors,
    long InputTokens, long OutputTokens, long CacheReadTokens, long CacheCreationTokens, double CostUsd,
    int Messages, string? Models, string Tools, string Decisions, int LinesAdded, int LinesRemoved,
    double? ActiveUserSeconds, double? ActiveCliSeconds, long? Commits, long? PullRequests, string EditDecisions, int MetricPoints);

/// <summary>Posts the real fixture requests through OTLP/HTTP and reads back what was stored.</summary>
public static class OtlpIntegrationKit
{
    public const string ProtobufType = "application/x-protobuf";

    /// <summary>Every request of a scenario (logs, metrics, traces; .json or .pb as received), in arrival order.</summary>
    public static IReadOnlyList<string> ScenarioRequests(string cli, string scenario) =>
        new[] { "logs", "metrics", "traces" }.SelectMany(signal => OtlpFixtureFiles.Requests(cli, scenario, signal))
            .OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();

    /// <summary>The signal of a fixture file (…_logs.json, …_metrics.pb, …_traces.decoded.json).</summary>
    public static string SignalOf(string file) =>
        new[] { "logs", "metrics", "traces" }.Single(s => Path.GetFileName(file).Contains("_" + s + ".", StringComparison.Ordinal));

    /// <summary>The Content-Type the client sent, from the receiver's .meta.json (decoded copies are OTLP/JSON).</summary>
    public static string ContentTypeOf(string file)
    {
        if (file.EndsWith(".decoded.json", StringComparison.Ordinal)) return "application/json";
        var meta = file[..file.LastIndexOf('_')] + "_" + SignalOf(file) + ".meta.json";
        using var document = JsonDocument.Parse(File.ReadAllText(meta));
        return document.RootElement.GetProperty("content_type").GetString()!;
    }

    public static Task<HttpResponseMessage> PostFileAsync(this HttpClient client, string file) =>
        client.PostOtlpAsync("/v1/" + SignalOf(file), File.ReadAllBytes(file), ContentTypeOf(file));

    public static Task<HttpResponseMessage> PostOtlpAsync(this HttpClient client, string path, byte[] body, string contentType, string? contentEncoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (contentEncoding is not null) content.Headers.ContentEncoding.Add(contentEncoding);
        return client.PostAsync(path, content);
    }

    public static Task<HttpResponseMessage> PostOtlpAsync(this HttpClient client, string path, IMessage request, bool json = false) =>
        json
            ? client.PostOtlpAsync(path, System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(request)), "application/json")
            : client.PostOtlpAsync(path, request.ToByteArray(), ProtobufType);

    /// <summary>Posts every request of a scenario and asserts each was fully accepted.</summary>
    public static async Task PostScenarioAsync(this HttpClient client, IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            using var response = await client.PostFileAsync(file);
            await AssertFullSuccessAsync(response, Path.GetFileName(file));
        }
    }

    /// <summary>Posts export requests as protobuf, each to its signal's path, and asserts each was fully accepted.</summary>
    public static async Task PostRequestsAsync(this HttpClient client, params IMessage[] requests)
    {
        foreach (var request in requests)
        {
            var path = request switch
            {
                ExportLogsServiceRequest => "/v1/logs",
                ExportMetricsServiceRequest => "/v1/metrics",
                ExportTraceServiceRequest => "/v1/traces",
                _ => throw new ArgumentOutOfRangeException(nameof(requests)),
            };
            using var response = await client.PostOtlpAsync(path, request);
            await AssertFullSuccessAsync(response, path);
        }
    }

    private static async Task AssertFullSuccessAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{what}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        // A full success is an empty Export*ServiceResponse: "{}" in JSON, no bytes in protobuf.
        if (response.Content.Headers.ContentType?.MediaType == "application/json") Assert.Equal("{}", System.Text.Encoding.UTF8.GetString(body));
        else Assert.Empty(body);
    }

    public static async Task<SessionFigures> FiguresAsync(this DevInsightsFactory app, string clientSessionId)
    {
        await using var db = await app.DbAsync();
        return await db.FiguresAsync(clientSessionId);
    }

    public static async Task<SessionFigures> FiguresAsync(this DevInsights.Core.Data.DevInsightsDbContext db, string clientSessionId)
    {
        var s = await db.Sessions.AsNoTracking().SingleAsync(x => x.ClientSessionId == clientSessionId);
        var events = await db.Events.AsNoTracking().Where(e => e.SessionId == s.Id).OrderBy(e => e.Timestamp).ThenBy(e => e.Id)
            .Select(e => new { e.Type, e.ToolName, e.AttributesJson }).ToListAsync();
        var tools = await db.ToolUsages.AsNoTracking().Where(t => t.SessionId == s.Id).OrderBy(t => t.ToolName)
            .Select(t => $"{t.ToolName}:{t.Calls}/{t.Successes}/{t.Errors}").ToListAsync();
        var metrics = await db.Set<SessionMetrics>().AsNoTracking().SingleOrDefaultAsync(m => m.SessionId == s.Id);
        var edits = await db.Set<CodeEditDecisionCount>().AsNoTracking().Where(d => d.SessionId == s.Id)
            .OrderBy(d => d.ToolName).ThenBy(d => d.Decision).ThenBy(d => d.Language)
            .Select(d => $"{d.ToolName}:{d.Decision}:{d.Language}:{d.Count}").ToListAsync();
        var machine = s.MachineId is null ? null : await db.Machines.Where(m => m.Id == s.MachineId).Select(m => m.ClientMachineId).SingleAsync();
        var workspace = s.WorkspaceId is null ? null : await db.Workspaces.Where(w => w.Id == s.WorkspaceId).Select(w => w.ClientWorkspaceId).SingleAsync();
        var project = await db.Projects.Where(p => p.Id == s.ProjectId).Select(p => p.Key).SingleAsync();
        var points = await db.Set<MetricPoint>().CountAsync(p => p.SessionId == s.Id);
        var decisions = events.Where(e => e.Type == OtlpEventTypes.ToolDecision)
            .Select(e => $"{e.ToolName}:{JsonDocument.Parse(e.AttributesJson!).RootElement.GetProperty("decision").GetString()}");
        return new SessionFigures(
            s.Client, s.DeveloperId, machine, project, workspace,
            s.EventCount, string.Join(",", events.GroupBy(e => e.Type).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}:{g.Count()}")),
            events.Count(e => e.Type == OtlpEventTypes.ApiRequest), events.Count(e => e.Type == OtlpEventTypes.ApiError),
            s.InputTokens, s.OutputTokens, s.CacheReadTokens, s.CacheCreationTokens, Math.Round(s.CostUsd, 12),
            s.MessageCount, s.Models, string.Join(",", tools), string.Join(",", decisions), s.LinesAdded, s.LinesRemoved,
            metrics is null ? null : Math.Round(metrics.ActiveTimeUserS, 9), metrics is null ? null : Math.Round(metrics.ActiveTimeCliS, 9),
            metrics?.Commits, metrics?.PullRequests, string.Join(",", edits), points);
    }

    /// <summary>Rows of the metric_points table written for machine <paramref name="clientMachineId"/>'s developer.</summary>
    public static async Task<int> PointsOfAsync(this DevInsightsFactory app, string developerId)
    {
        await using var db = await app.DbAsync();
        return await db.Set<MetricPoint>().CountAsync(p => p.DeveloperId == developerId);
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest)) gzip.Write(data);
        return output.ToArray();
    }

    public static string ClaudeSessionId(string scenario) => OtlpFixtureFiles.ClaudeStdout(scenario).GetProperty("session_id").GetString()!;

    public static string CodexSessionId(string scenario) => OtlpFixtureFiles.CodexStdout(scenario).First().GetProperty("thread_id").GetString()!;
}
