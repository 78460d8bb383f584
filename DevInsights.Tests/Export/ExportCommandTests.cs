using System.Globalization;
using DevInsights.Core.Configuration;
using DevInsights.Tests.Admin;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;

namespace DevInsights.Tests.Export;

public sealed class ExportCommandTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Admin_export_writes_partitioned_parquet_that_DuckDB_sums_like_the_seed(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2034, 2, 2), days: 4, seed: 9);
        var target = Path.Combine(app.Database.DataDirectory, "cli-" + Guid.NewGuid().ToString("N"));

        var result = await AdminCliRunner.RunAsync(app.Services, "export", "--from", "2034-01-30", "--to", "2034-02-02", "--format", "parquet",
            "--out", target, "--dataset", "events", "--dataset", "daily-stats");

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains("Wrote 8 file(s)", result.Output);
        // Piped output gets one progress line per file written.
        Assert.Contains("[100%] daily-stats 2034-02-02:", result.Output);
        Assert.Contains("] events 2034-01-30:", result.Output);
        var glob = DuckDb.Literal(Path.Combine(target, "events", "**", "*.parquet"));
        var events = await DuckDb.QueryAsync($"SELECT count(*), sum(cost_usd), count(DISTINCT month) FROM read_parquet({glob}, hive_partitioning = true)");
        Assert.Equal(team.Events.Count.ToString(CultureInfo.InvariantCulture), events.Rows[0][0].ToString());
        Assert.Equal(team.Events.Sum(e => e.CostUsd ?? 0), events.Rows[0][1].GetDouble(), 9);
        Assert.Equal("2", events.Rows[0][2].ToString()); // January and February partitions
        Assert.False(Directory.Exists(Path.Combine(target, "sessions")));
    }

    [Theory, BothProviders]
    public async Task Admin_export_refuses_bad_days_and_formats(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var days = await AdminCliRunner.RunAsync(app.Services, "export", "--from", "2034-02-02", "--to", "2034-02-01", "--out", "/tmp/x");
        Assert.Equal((1, "error: --to is before --from."), (days.ExitCode, days.Error.Trim()));
        var text = await AdminCliRunner.RunAsync(app.Services, "export", "--from", "yesterday", "--to", "2034-02-01", "--out", "/tmp/x");
        Assert.Equal(1, text.ExitCode);
        var format = await AdminCliRunner.RunAsync(app.Services, "export", "--from", "2034-02-01", "--to", "2034-02-01", "--format", "xml", "--out", "/tmp/x");
        Assert.NotEqual(0, format.ExitCode);
    }
}
