using Xunit.Abstractions;

namespace DevInsights.Tests.Benchmarks;

[Trait("Category", "Browser")]
public sealed class LiveLatencyBenchmarkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Fifty_events_each_appear_in_the_open_session_page_and_the_latency_is_reported()
    {
        var result = await LiveLatencyBenchmark.RunAsync(50);
        output.WriteLine(result.Report());
        if (Environment.GetEnvironmentVariable(HierarchyBenchmarkTests.ReportVariable) is { Length: > 0 } path)
            await File.AppendAllTextAsync(path, result.Report() + Environment.NewLine);

        Assert.Equal(50, result.FromRequest.Samples);
        // The spec's bound for every event is a second; the 500 ms p95 target is reported (this machine is shared and noisy).
        Assert.True(result.FromRequest.P95Ms < 1000, result.Report());
    }
}
