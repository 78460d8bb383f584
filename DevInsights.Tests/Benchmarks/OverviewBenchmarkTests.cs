using DevInsights.Bench.Hierarchy;
using Xunit.Abstractions;

namespace DevInsights.Tests.Benchmarks;

public sealed class OverviewBenchmarkTests(ITestOutputHelper output)
{
    /// <summary>Set to "full" for 1,000,000 events (about a minute on 2 cores).</summary>
    public const string ScaleVariable = "DEVINSIGHTS_OVERVIEW_BENCH";

    [Fact]
    public async Task The_overview_reads_the_rollup_of_every_generated_event_and_is_timed()
    {
        var full = Environment.GetEnvironmentVariable(ScaleVariable) == "full";
        var options = full
            ? new HierarchyBenchmarkOptions()
            : new HierarchyBenchmarkOptions(Machines: 4, Workspaces: 20, SessionsPerWorkspace: 5, UnattributedSessions: 3, Events: 20_000);

        var result = await OverviewBenchmark.RunAsync(options, iterations: full ? 50 : 10, warmup: full ? 5 : 2);
        output.WriteLine(result.Report());
        if (Environment.GetEnvironmentVariable(HierarchyBenchmarkTests.ReportVariable) is { Length: > 0 } path)
            await File.AppendAllTextAsync(path, result.Report() + Environment.NewLine);

        // The rollup accounts for every generated event: the overview's totals are the raw table's.
        Assert.Equal(options.Events, result.RollupEvents);
        Assert.True(result.RollupRows > 0);
        if (full) Assert.True(result.MeetsTarget, result.Report());
    }
}
