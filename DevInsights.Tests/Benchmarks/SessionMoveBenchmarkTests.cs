using System.Diagnostics;
using DevInsights.Core.Configuration;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Otlp.Attribution;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DevInsights.Tests.Benchmarks;

/// <summary>Times moving a session of 1,000 events out of Unassigned (the OTLP placer's move: session, events, daily
/// aggregates and rollup invalidations in one transaction) on SQLite.</summary>
public sealed class SessionMoveBenchmarkTests(ITestOutputHelper output)
{
    private const int Events = 1_000;
    private const int Moves = 31;
    private const int Warmup = 2;

    [Fact]
    public async Task Moving_a_session_of_a_thousand_events_is_timed()
    {
        await using var app = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite);
        var user = await app.UserAsync();
        var unassigned = await app.Services.GetRequiredService<UnassignedProject>().GetIdAsync();
        var queue = app.Services.GetRequiredService<IngestionQueue>();
        var placer = app.Services.GetRequiredService<OtlpSessionPlacer>();
        long target;
        await using (var db = await app.DbAsync())
        {
            var project = new Project { Key = "bench-move-" + Guid.NewGuid().ToString("N"), Name = "bench", FullName = "bench" };
            db.Projects.Add(project);
            await db.SaveChangesAsync();
            target = project.Id;
        }

        var timings = new List<double>();
        var start = new DateTime(2033, 1, 10, 8, 0, 0, DateTimeKind.Utc);
        for (var m = 0; m < Moves + Warmup; m++)
        {
            var sessionId = "bench-move-" + Guid.NewGuid().ToString("N");
            var events = Enumerable.Range(0, Events).Select(i => new IngestEvent
            {
                ClientSessionId = sessionId, ClientEventId = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Timestamp = start.AddMinutes(m * 60 + i * 0.5), Type = i % 3 == 0 ? "api_request" : "tool_result",
                Model = i % 3 == 0 ? (i % 2 == 0 ? "claude-sonnet-4-5" : "claude-haiku-4-5") : null, ToolName = i % 3 == 0 ? null : "Bash",
                Success = i % 3 == 0 ? null : i % 7 != 0, InputTokens = i % 3 == 0 ? 1200 : 0, OutputTokens = i % 3 == 0 ? 300 : 0,
                DurationMs = 40,
            }).ToList();
            await queue.SubmitAsync(new IngestBatch("api", events,
                new Dictionary<string, SessionContext> { [sessionId] = new("claude-code", user.Id, unassigned, null, null) }));

            var wanted = new Dictionary<string, (string, OtlpAttribution)>
            {
                [sessionId] = ("claude-code", new OtlpAttribution(target, false, null, null, user.Id, ShareLevel.Metadata)),
            };
            var watch = Stopwatch.StartNew();
            await placer.SettleAsync(wanted, CancellationToken.None);
            if (m >= Warmup) timings.Add(watch.Elapsed.TotalMilliseconds);
        }

        timings.Sort();
        var report = $"session move, {Events:N0} events, SQLite: median {timings[Moves / 2]:F1} ms, min {timings[0]:F1} ms, max {timings[^1]:F1} ms ({Moves} moves after {Warmup} warm-up)";
        output.WriteLine(report);
        if (Environment.GetEnvironmentVariable(HierarchyBenchmarkTests.ReportVariable) is { Length: > 0 } path)
            await File.AppendAllTextAsync(path, report + Environment.NewLine);
        await using var check = await app.DbAsync();
        Assert.Equal((Moves + Warmup) * Events, check.Events.Count(e => e.ProjectId == target));
    }
}
