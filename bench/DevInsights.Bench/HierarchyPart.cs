using System.Globalization;
using DevInsights.Bench.Hierarchy;

namespace DevInsights.Bench;

/// <summary>Hierarchy reads over the PERFORMANCE.md scenario (one project, 200 workspaces on 20 machines, 1,000,000
/// events; <see cref="HierarchyBenchmark"/>): <c>hierarchy_tree_p95_ms</c> (target &lt; 20 ms) and
/// <c>workspace_resolve_p95_ms</c>, a workspace resolved to its machine and project context (target &lt; 5 ms).</summary>
public sealed class HierarchyPart : IBenchPart
{
    public string Name => "hierarchy";

    public async Task RunAsync(BenchContext context, TextWriter output)
    {
        BenchContext.Progress("hierarchy: generating 1,000,000 events");
        var result = await HierarchyBenchmark.RunAsync(new HierarchyBenchmarkOptions(), context.CancellationToken);
        foreach (var line in result.Report().Split('\n')) BenchContext.Progress(line.TrimEnd());
        context.Report(output, "hierarchy_generation_s", result.Generation.TotalSeconds, decimals: 1);
        context.Report(output, "hierarchy_tree_p95_ms", result.ProjectTree.P95Ms, decimals: 2);
        context.Report(output, "workspace_resolve_p95_ms", result.WorkspaceContext.P95Ms, decimals: 2);
        context.Report(output, "workspace_upsert_p95_ms", result.WorkspaceUpsert.P95Ms, decimals: 2);
        context.Report(output, "project_events_page_p95_ms", result.EventsFirstPage.P95Ms, decimals: 2);
        context.Report(output, "project_events_deep_page_p95_ms", result.EventsDeepPage.P95Ms, decimals: 2);
        BenchContext.Report(output, "hierarchy_targets_met", result.MeetsTargets.ToString(CultureInfo.InvariantCulture).ToLowerInvariant());
    }
}
