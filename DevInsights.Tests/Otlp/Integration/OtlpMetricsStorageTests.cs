using DevInsights.Core.Configuration;
using DevInsights.Core.Otlp.Storage;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Ingestion;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Proto.Metrics.V1;
using static DevInsights.Tests.Otlp.OtlpTestData;
using static DevInsights.Tests.Otlp.Integration.OtlpIntegrationKit;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary>What metrics add to sessions (the figures the fixtures' short runs did not produce: lines, commits, pull
/// requests, code edit decisions), for delta and cumulative senders, exactly once however often an export is retried.</summary>
public sealed class OtlpMetricsStorageTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Session_figures_add_up_once_per_point_and_create_the_session_when_metrics_come_first(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, userId, _) = await app.CreateUserClientAsync();
        var (sessionId, install) = (NewSessionId(), NewInstallId());
        // Whole milliseconds: PostgreSQL keeps microseconds, .NET ticks are a tenth of that.
        var now = DateTime.UtcNow;
        var t0 = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc).AddMinutes(-10);

        var first = Export(sessionId, install, t0, AggregationTemporality.Delta, linesAdded: 40, linesRemoved: 12, accepts: 3);
        await client.PostRequestsAsync(first);
        await client.PostRequestsAsync(first); // a retry
        await client.PostRequestsAsync(first);

        var stored = await app.FiguresAsync(sessionId);
        Assert.Equal(("claude-code", userId, "claude-install:" + install, 0L), (stored.Client, stored.DeveloperId, stored.Machine, stored.Events));
        Assert.Equal((40, 12), (stored.LinesAdded, stored.LinesRemoved));
        Assert.Equal((7.5, 2.25, 1L, 1L), (stored.ActiveUserSeconds, stored.ActiveCliSeconds, stored.Commits, stored.PullRequests));
        Assert.Equal("Edit:accept:python:3,Write:reject::1", stored.EditDecisions);
        Assert.Equal(8, stored.MetricPoints);
        await using (var db = await app.DbAsync())
        {
            var session = await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == sessionId);
            Assert.Equal((t0.AddSeconds(60), t0.AddSeconds(60)), (session.StartedAt, session.LastEventAt));
        }

        // The next interval adds to the same figures.
        await client.PostRequestsAsync(Export(sessionId, install, t0.AddSeconds(60), AggregationTemporality.Delta, linesAdded: 5, linesRemoved: 0, accepts: 1));
        stored = await app.FiguresAsync(sessionId);
        Assert.Equal((45, 12, 15.0, "Edit:accept:python:4,Write:reject::2"), (stored.LinesAdded, stored.LinesRemoved, stored.ActiveUserSeconds, stored.EditDecisions));
    }

    [Theory, BothProviders]
    public async Task Cumulative_series_add_their_increments(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var (sessionId, install) = (NewSessionId(), NewInstallId());
        // The series started after the app did, so its first value counts in full.
        var start = DateTime.UtcNow.AddMilliseconds(100);

        await client.PostRequestsAsync(Export(sessionId, install, start, AggregationTemporality.Cumulative, linesAdded: 40, linesRemoved: 12, accepts: 3));
        var totals = Export(sessionId, install, start, AggregationTemporality.Cumulative, linesAdded: 55, linesRemoved: 12, accepts: 5, seconds: 120);
        await client.PostRequestsAsync(totals);
        await client.PostRequestsAsync(totals);

        var stored = await app.FiguresAsync(sessionId);
        Assert.Equal((55, 12, "Edit:accept:python:5,Write:reject::1"), (stored.LinesAdded, stored.LinesRemoved, stored.EditDecisions));
        await using var db = await app.DbAsync();
        var session = await db.Sessions.SingleAsync(s => s.ClientSessionId == sessionId);
        var lines = await db.Set<MetricPoint>().Where(p => p.SessionId == session.Id && p.Name == "claude_code.lines_of_code.count")
            .OrderBy(p => p.Time).ThenBy(p => p.AttributesJson).Select(p => new { p.Value, p.Increment, p.Temporality }).ToListAsync();
        Assert.Equal([(40.0, 40.0), (12.0, 12.0), (55.0, 15.0), (12.0, 0.0)], lines.Select(p => (p.Value!.Value, p.Increment!.Value)));
    }

    /// <summary>Claude Code's session metrics for one export interval ending <paramref name="seconds"/> after <paramref name="start"/>.</summary>
    private static OpenTelemetry.Proto.Collector.Metrics.V1.ExportMetricsServiceRequest Export(string sessionId, string install, DateTime start,
        AggregationTemporality temporality, int linesAdded, int linesRemoved, int accepts, int seconds = 60)
    {
        var time = start.AddSeconds(seconds);
        var common = new[] { Kv("session.id", sessionId), Kv("user.id", install) };
        Metric Sum(string name, params (double Value, OpenTelemetry.Proto.Common.V1.KeyValue[] Attributes)[] points) =>
            OtlpTestData.Sum(name, temporality, points.Select(p => Point(start, time, p.Value, [.. common, .. p.Attributes])).ToArray());
        return Metrics(Resource(Kv("service.name", "claude-code"), Kv("service.version", "2.1.328")),
            Sum("claude_code.lines_of_code.count", (linesAdded, [Kv("type", "added")]), (linesRemoved, [Kv("type", "removed")])),
            Sum("claude_code.active_time.total", (7.5 * seconds / 60, [Kv("type", "user")]), (2.25 * seconds / 60, [Kv("type", "cli")])),
            Sum("claude_code.commit.count", (1, [])),
            Sum("claude_code.pull_request.count", (1, [])),
            Sum("claude_code.code_edit_tool.decision",
                (accepts, [Kv("tool_name", "Edit"), Kv("decision", "accept"), Kv("language", "python")]),
                (1, [Kv("tool_name", "Write"), Kv("decision", "reject")])));
    }
}
