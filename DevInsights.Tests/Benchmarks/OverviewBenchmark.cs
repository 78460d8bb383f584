using System.Diagnostics;
using System.Globalization;
using System.Text;
using DevInsights.Bench.Hierarchy;
using DevInsights.Core.Dashboard;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using DevInsights.Web.Components.Pages.Overview;
using DevInsights.Web.Components.Pages.Shared;
using DevInsights.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Tests.Benchmarks;

/// <param name="RollupRows">daily_usage rows the 90 days produced.</param>
/// <param name="Rebuild">Time to compute the rollup of the 90 days from the raw events (what migration 0006 and a repair cost).</param>
/// <param name="Overview">The whole overview query set, as the page runs it (server time, no rendering).</param>
/// <param name="Parts">Each query of the set on its own.</param>
public sealed record OverviewBenchmarkResult(
    long Events, int Sessions, int RollupRows, TimeSpan Generation, TimeSpan Rebuild, long RollupEvents,
    LatencyFigures Overview, IReadOnlyList<(string Name, LatencyFigures Latency)> Parts)
{
    /// <summary>The PERFORMANCE.md target: the overview (all charts) under 100 ms of server time at 1,000,000 events.</summary>
    public bool MeetsTarget => Overview.P95Ms < 100;

    public string Report()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Overview benchmark (SQLite): {Events:N0} events in {Sessions:N0} sessions over 90 days; generated in {Generation.TotalSeconds:0.0} s; rollup of 90 days rebuilt from raw events in {Rebuild.TotalSeconds:0.00} s ({RollupRows:N0} daily_usage rows)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  overview, all queries  {Overview}  [target < 100 ms]");
        foreach (var (name, latency) in Parts) sb.AppendLine(CultureInfo.InvariantCulture, $"    {name,-20} {latency}");
        sb.Append(MeetsTarget ? "  target met" : "  TARGET MISSED");
        return sb.ToString();
    }
}

/// <summary>Times the overview's query set at scale: one generated database of <see cref="HierarchyBenchmarkData"/>
/// (1,000,000 events over 90 days by default), its rollup rebuilt by <see cref="DailyUsageRebuilder"/>, then
/// <see cref="OverviewQuery.LoadAsync"/> for those 90 days, as a team lead (every developer, every project).</summary>
public static class OverviewBenchmark
{
    public static async Task<OverviewBenchmarkResult> RunAsync(HierarchyBenchmarkOptions? options = null, int iterations = 50, int warmup = 5,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        await using var data = await HierarchyBenchmarkData.CreateAsync(options ?? new HierarchyBenchmarkOptions(), ct);
        var db = data.Db;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        // The generator's events start at midnight 90 days ago and may run into tomorrow: the range covers them all.
        var range = TimeRange.Parse(TimeRange.Custom, TimeRange.Format(today.AddDays(-90)), TimeRange.Format(today.AddDays(1)), today);

        await using (var context = await db.CreateDbContextAsync(ct))
        {
            // The per-session tool counters the ingestion writer keeps (the generator writes events and session totals only).
            await context.Database.ExecuteSqlRawAsync("""
                INSERT INTO tool_usages (session_id, tool_name, calls, successes, errors)
                SELECT session_id, tool_name, COUNT(*), SUM(CASE WHEN success THEN 1 ELSE 0 END), SUM(CASE WHEN NOT success THEN 1 ELSE 0 END)
                FROM events WHERE tool_name IS NOT NULL AND success IS NOT NULL GROUP BY session_id, tool_name
                """, ct);
        }
        var stopwatch = Stopwatch.StartNew();
        var rows = await new DailyUsageRebuilder(db).RebuildAsync(range.From, range.To, ct);
        var rebuild = stopwatch.Elapsed;
        // The tool rollups the rollups job keeps (top tools read them).
        await new DevInsights.Core.Rollups.RollupBuilder(data.Connections, db, TimeProvider.System).RunAsync(ct: ct);
        await using (var context = await db.CreateDbContextAsync(ct))
            await context.Database.ExecuteSqlRawAsync("ANALYZE;", ct);

        var rollup = new UsageRollup(db);
        var activity = new ActivityQueries(db, new DevInsights.Core.Rollups.RollupQueries(db));
        var sessions = new SessionService(db, TimeProvider.System);
        var overview = new OverviewQuery(rollup, activity, sessions);
        var lead = new CurrentUser("bench-lead", "bench-lead", new HashSet<string> { Roles.TeamLead });
        var caller = new SessionCaller(lead.Id, true);
        var model = await overview.LoadAsync(lead, range, ct);

        var whole = await TimeAsync(iterations, warmup, () => overview.LoadAsync(lead, range, ct));
        var parts = new List<(string, LatencyFigures)>
        {
            ("rollup by day", await TimeAsync(iterations, warmup, () => rollup.SummarizeAsync(UsageScope.Team, range, ct))),
            ("cost by project", await TimeAsync(iterations, warmup, () => rollup.ByProjectAsync(UsageScope.Team, range, ct))),
            ("cost by developer", await TimeAsync(iterations, warmup, () => rollup.ByDeveloperAsync(UsageScope.Team, range, ct))),
            ("session summary", await TimeAsync(iterations, warmup, () => activity.SessionStatsAsync(UsageScope.Team, range, ct))),
            ("top tools", await TimeAsync(iterations, warmup, () => activity.TopToolsAsync(UsageScope.Team, range, OverviewQuery.TopToolCount, ct))),
            ("recent sessions", await TimeAsync(iterations, warmup, () => sessions.ListAsync(caller,
                new SessionQuery(From: range.Start, To: range.End.AddTicks(-1), PageSize: OverviewQuery.RecentSessionCount), ct))),
        };
        return new OverviewBenchmarkResult(data.Options.Events, data.Sessions, rows, data.Generation, rebuild, model.Usage.Totals.Events, whole, parts);
    }

    private static async Task<LatencyFigures> TimeAsync<T>(int iterations, int warmup, Func<Task<T>> read)
    {
        for (var i = 0; i < warmup; i++) await read();
        var samples = new List<double>(iterations);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await read();
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        process.Refresh();
        return LatencyFigures.From(samples, process.TotalProcessorTime - cpuBefore);
    }
}
