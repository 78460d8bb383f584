using System.Diagnostics;
using System.Globalization;
using System.Text;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;

namespace DevInsights.Bench.Hierarchy;

/// <summary>The size of the generated hierarchy and how often each read is timed. The defaults are the
/// PERFORMANCE.md scenario: one project of 200 workspaces on 20 machines, 1,000,000 events.</summary>
/// <param name="UnattributedSessions">Sessions with no workspace (telemetry before the collector registered one).</param>
public sealed record HierarchyBenchmarkOptions(
    int Machines = 20,
    int Workspaces = 200,
    int SessionsPerWorkspace = 20,
    int UnattributedSessions = 40,
    int Events = 1_000_000,
    int Iterations = 200,
    int Warmup = 100);

/// <summary>Latency of one read over <see cref="Samples"/> timed calls, in milliseconds.</summary>
/// <param name="CpuMsPerCall">Process CPU time per call, averaged: the work a call costs, which on a shared,
/// oversubscribed machine says more about an idle one than wall-clock percentiles do (SQLite runs on the calling thread).
/// Null where the measured work does not run on the caller's process (e.g. a browser round trip).</param>
public sealed record LatencyFigures(double P50Ms, double P95Ms, double MaxMs, int Samples, double? CpuMsPerCall)
{
    public static LatencyFigures From(List<double> samples, TimeSpan? cpu = null)
    {
        samples.Sort();
        double At(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
        return new LatencyFigures(At(0.50), At(0.95), samples[^1], samples.Count, cpu?.TotalMilliseconds / samples.Count);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {P50Ms:0.00} ms, p95 {P95Ms:0.00} ms, max {MaxMs:0.00} ms{(CpuMsPerCall is { } cpu ? $", CPU {cpu:0.00} ms/call" : "")} ({Samples} calls)");
}

/// <param name="TreeQueries">SQL commands one tree read sends (fixed, whatever the number of workspaces).</param>
public sealed record HierarchyBenchmarkResult(
    HierarchyBenchmarkOptions Options,
    int Sessions,
    long Events,
    TimeSpan Generation,
    int TreeQueries,
    long TreeEventTotal,
    LatencyFigures ProjectTree,
    LatencyFigures WorkspaceContext,
    LatencyFigures WorkspaceUpsert,
    LatencyFigures EventsFirstPage,
    LatencyFigures EventsDeepPage)
{
    /// <summary>The PERFORMANCE.md targets: tree p95 &lt; 20 ms, workspace resolution/context p95 &lt; 5 ms.</summary>
    public bool MeetsTargets => ProjectTree.P95Ms < 20 && WorkspaceContext.P95Ms < 5;

    // Wall-clock figures on a shared machine mean little without the load they were taken under.
    public string Report()
    {
        var o = Options;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Hierarchy benchmark (SQLite): {o.Workspaces} workspaces on {o.Machines} machines, {Sessions} sessions, {Events:N0} events; generated and analysed in {Generation.TotalSeconds:0.0} s");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  project tree        {ProjectTree}  [target p95 < 20 ms; {TreeQueries} queries; {TreeEventTotal:N0} events counted]");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  workspace context   {WorkspaceContext}  [target p95 < 5 ms]");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  workspace upsert    {WorkspaceUpsert}  (collector heartbeat: machine, project and workspace resolved and refreshed)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  events, first page  {EventsFirstPage}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  events, deep page   {EventsDeepPage}  (cursor half-way through the project)");
        sb.Append(MeetsTargets ? "  targets met" : "  TARGETS MISSED");
        sb.Append(CultureInfo.InvariantCulture, $" (load average {BenchContext.LoadAverage()} on {Environment.ProcessorCount} cores while measuring)");
        return sb.ToString();
    }
}

/// <summary>Times the hierarchy reads over a <see cref="HierarchyBenchmarkData"/> database, through
/// <see cref="HierarchyService"/> exactly as the app wires it.</summary>
public static class HierarchyBenchmark
{
    public static async Task<HierarchyBenchmarkResult> RunAsync(HierarchyBenchmarkOptions? options = null, CancellationToken ct = default)
    {
        var o = options ?? new HierarchyBenchmarkOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(o.Iterations, 1);
        await using var data = await HierarchyBenchmarkData.CreateAsync(o, ct);
        var hierarchy = data.Hierarchy;
        var projectId = data.ProjectId;
        var workspaceIds = data.WorkspaceIds;

        data.Commands.Reset();
        var tree = await hierarchy.GetProjectTreeAsync(projectId, ct: ct)
            ?? throw new InvalidOperationException("The generated project is missing.");
        var treeQueries = data.Commands.Count;
        var deepCursor = await data.MiddleCursorAsync(ct);

        // Each figure is its own loop so one read's cache effects do not flatter another's.
        var treeLatency = await TimeAsync(o, _ => hierarchy.GetProjectTreeAsync(projectId, ct: ct));
        var contextLatency = await TimeAsync(o, i => hierarchy.GetWorkspaceContextAsync(workspaceIds[i % workspaceIds.Count], ct));
        var upsertLatency = await TimeAsync(o, i => hierarchy.UpsertWorkspaceAsync(
            new WorkspaceUpsert(workspaceIds[i % workspaceIds.Count], data.MachineOf(i % workspaceIds.Count), HierarchyBenchmarkData.Repository, Branch: "main"), ct));
        var firstPage = await TimeAsync(o, _ => hierarchy.GetProjectEventsAsync(new EventQuery(projectId), "bench", [Roles.Admin], ct));
        var deepPage = await TimeAsync(o, _ => hierarchy.GetProjectEventsAsync(new EventQuery(projectId, Cursor: deepCursor), "bench", [Roles.Admin], ct));

        return new HierarchyBenchmarkResult(o, data.Sessions, o.Events, data.Generation, treeQueries, tree.Totals.EventCount,
            treeLatency, contextLatency, upsertLatency, firstPage, deepPage);
    }

    private static async Task<LatencyFigures> TimeAsync<T>(HierarchyBenchmarkOptions o, Func<int, Task<T>> read)
    {
        for (var i = 0; i < o.Warmup; i++) await read(i);
        var samples = new List<double>(o.Iterations);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        for (var i = 0; i < o.Iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await read(i);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        process.Refresh();
        return LatencyFigures.From(samples, process.TotalProcessorTime - cpuBefore);
    }
}
