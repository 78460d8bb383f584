using DevInsights.Bench.Hierarchy;
using Xunit.Abstractions;

namespace DevInsights.Tests.Benchmarks;

public sealed class HierarchyBenchmarkTests(ITestOutputHelper output)
{
    /// <summary>Set to "full" for the PERFORMANCE.md scale (1,000,000 events; about a minute on 2 cores).</summary>
    public const string ScaleVariable = "DEVINSIGHTS_HIERARCHY_BENCH";

    /// <summary>When set, the report is appended to this file as well as to the test output.</summary>
    public const string ReportVariable = "DEVINSIGHTS_BENCH_REPORT";

    [Fact]
    public async Task Generated_hierarchy_is_consistent_and_its_reads_are_timed()
    {
        var full = Environment.GetEnvironmentVariable(ScaleVariable) == "full";
        var options = full
            ? new HierarchyBenchmarkOptions()
            : new HierarchyBenchmarkOptions(Machines: 4, Workspaces: 20, SessionsPerWorkspace: 5, UnattributedSessions: 3,
                Events: 20_000, Iterations: 20, Warmup: 3);

        var result = await HierarchyBenchmark.RunAsync(options);
        output.WriteLine(result.Report());
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } path)
            await File.AppendAllTextAsync(path, result.Report() + Environment.NewLine);

        // The tree's totals come from session counters; they add up to the events generated, so the data is coherent.
        Assert.Equal(options.Events, result.TreeEventTotal);
        Assert.Equal(options.Workspaces * options.SessionsPerWorkspace + options.UnattributedSessions, result.Sessions);
        Assert.Equal(4, result.TreeQueries);
        Assert.All(new[] { result.ProjectTree, result.WorkspaceContext, result.WorkspaceUpsert, result.EventsFirstPage, result.EventsDeepPage },
            f => Assert.Equal(options.Iterations, f.Samples));
        if (full) Assert.True(result.MeetsTargets, result.Report());
    }
}
