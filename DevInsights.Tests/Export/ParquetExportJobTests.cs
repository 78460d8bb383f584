using System.Globalization;
using DevInsights.Core.Configuration;
using DevInsights.Core.Export;
using DevInsights.Core.Export.Parquet;
using DevInsights.Core.Jobs;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Rollups;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Export;

public sealed class ParquetExportJobTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task DuckDB_reads_the_daily_snapshots_with_the_databases_counts_costs_and_types(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await DashboardData.SeedTeamAsync(app, today.AddDays(-1), days: 3);
        var user = await app.UserAsync();
        // A real Claude Code session too, moved to yesterday so the snapshot window holds it.
        var claude = FixtureFeed.ClaudeEvents(FixtureFeed.ToolScenario, "export-" + Guid.NewGuid().ToString("N"));
        var shift = today.AddDays(-1).ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc) - claude.Min(e => e.Timestamp);
        await FixtureFeed.PostAsync(user.Client, claude.Select(e => e with { Timestamp = e.Timestamp + shift }).ToList());

        var outcome = await RollupTestKit.RunJobAsync<ParquetExportJob>(app);
        Assert.Equal(7, outcome.Counts!["days"]);
        Assert.Equal(7 * ExportDataset.All.Count, outcome.Counts["files"]);

        var directory = app.Services.GetRequiredService<ExportPaths>().Directory;
        var from = today.AddDays(-7).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var to = today.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        long count;
        double cost;
        int sessions;
        await using (var db = await app.DbAsync())
        {
            var inRange = db.Events.Where(e => e.Timestamp >= from && e.Timestamp < to);
            count = await inRange.LongCountAsync();
            cost = (await inRange.Select(e => e.CostUsd).ToListAsync()).Sum(c => c ?? 0);
            sessions = await db.Sessions.CountAsync(s => s.StartedAt >= from && s.StartedAt < to);
        }
        Assert.True(count > claude.Count);

        var glob = (string dataset) => DuckDb.Literal(Path.Combine(directory, dataset, "**", "*.parquet"));
        var events = await DuckDb.QueryAsync($"SELECT count(*), sum(cost_usd) FROM read_parquet({glob("events")})");
        Assert.Equal(count.ToString(CultureInfo.InvariantCulture), events.Rows[0][0].ToString());
        Assert.Equal(cost, events.Rows[0][1].GetDouble(), 9);
        var stats = await DuckDb.QueryAsync($"SELECT sum(events), sum(cost_usd), sum(sessions_started) FROM read_parquet({glob("daily-stats")})");
        Assert.Equal(count.ToString(CultureInfo.InvariantCulture), stats.Rows[0][0].ToString());
        Assert.Equal(cost, stats.Rows[0][1].GetDouble(), 9);
        Assert.Equal(sessions.ToString(CultureInfo.InvariantCulture), stats.Rows[0][2].ToString());
        var sessionFiles = await DuckDb.QueryAsync($"SELECT count(*), count(DISTINCT year), min(month) FROM read_parquet({glob("sessions")}, hive_partitioning = true)");
        Assert.Equal(sessions.ToString(CultureInfo.InvariantCulture), sessionFiles.Rows[0][0].ToString());

        var types = await DuckDb.QueryAsync($"DESCRIBE SELECT * FROM read_parquet({glob("events")}, hive_partitioning = false)");
        var typeOf = types.Rows.ToDictionary(r => r[0].GetString()!, r => r[1].GetString()!);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", typeOf["timestamp"]);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", typeOf["received_at"]);
        Assert.Equal("DOUBLE", typeOf["cost_usd"]);
        Assert.Equal("BIGINT", typeOf["input_tokens"]);
        Assert.Equal("BOOLEAN", typeOf["success"]);
        Assert.Equal("VARCHAR", typeOf["type"]);
        var dayType = await DuckDb.QueryAsync($"DESCRIBE SELECT day FROM read_parquet({glob("tool-usage")}, hive_partitioning = false)");
        Assert.Equal("DATE", dayType.Rows[0][1].GetString());

        // The fixture's events keep their instants to the microsecond.
        var first = claude.Select(e => e.Timestamp + shift).Min();
        var earliest = await DuckDb.QueryAsync($"SELECT strftime(min(timestamp) AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') FROM read_parquet({glob("events")}) " +
            $"WHERE client_session_id = '{claude[0].ClientSessionId}'");
        Assert.Equal(first.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture), earliest.Rows[0][0].GetString());

        // Idempotent per day: a second run rewrites the recent days only, and the totals stay.
        var files = Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Order().ToList();
        var again = await RollupTestKit.RunJobAsync<ParquetExportJob>(app);
        Assert.Equal(2, again.Counts!["days"]);
        Assert.Equal(files, Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Order().ToList());
        var recount = await DuckDb.QueryAsync($"SELECT count(*) FROM read_parquet({glob("events")})");
        Assert.Equal(count.ToString(CultureInfo.InvariantCulture), recount.Rows[0][0].ToString());
        Assert.All(files, f => Assert.Matches(@"year=\d{4}[/\\]month=\d{2}[/\\][a-z-]+-\d{4}-\d{2}-\d{2}\.parquet$", f));
    }
    [Theory, BothProviders]
    public async Task Scattered_days_take_one_rollup_pass_and_progress_rises_from_zero_to_one(DatabaseProvider provider)
    {
        // A database and export directory of its own: which days lack a snapshot is the point here.
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await DashboardData.SeedTeamAsync(app, today.AddDays(-1), days: 7);
        // Day -4 already has its snapshots, so the missing days are two runs: -7..-5 and -3..-1.
        var directory = app.Services.GetRequiredService<ExportPaths>().Directory;
        foreach (var dataset in ExportDataset.All)
        {
            var path = ExportService.PathOf(directory, dataset, today.AddDays(-4), ExportFormat.Parquet);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, []);
        }

        var reports = new List<JobProgress>();
        using (var scope = app.Services.CreateScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<ParquetExportJob>()
                .RunAsync(new JobRunContext("manual", DateTimeOffset.UtcNow, new InlineProgress<JobProgress>(reports.Add)), CancellationToken.None);
            Assert.Equal(6, outcome.Counts!["days"]);
            Assert.Equal(6 * ExportDataset.All.Count, outcome.Counts["files"]);
        }

        var fractions = reports.Select(r => r.Fraction!.Value).ToList();
        Assert.Equal(0, fractions[0]);
        Assert.Equal(1, fractions[^1]);
        Assert.All(fractions.Zip(fractions.Skip(1)), pair => Assert.True(pair.First <= pair.Second, $"{pair.First} then {pair.Second}"));
        // One rollup pass, before the first file and within its share of the bar; then one report per file.
        var rollup = reports.Where(r => r.Message.StartsWith("Rolling up new events", StringComparison.Ordinal)).ToList();
        Assert.Single(rollup, r => r.Message == "Rolling up new events");
        Assert.Equal(rollup, reports.Take(rollup.Count));
        Assert.All(rollup, r => Assert.InRange(r.Fraction!.Value, 0, DailyExport.RollupShare));
        Assert.Equal(6 * ExportDataset.All.Count, reports.Count - rollup.Count);

        // The page and the command read the same progress: it starts at 0, not at 100 %.
        var export = new List<ExportProgress>();
        await app.Services.GetRequiredService<DailyExport>().RunAsync([ExportDataset.DailyStats], today.AddDays(-2), today.AddDays(-1), ExportFormat.Csv,
            Path.Combine(directory, "manual", "progress"), ParquetCompression.None, new InlineProgress<ExportProgress>(export.Add));
        Assert.Equal((0.0, "Rolling up new events"), (export[0].Fraction, export[0].Message));
        Assert.Equal(1, export[^1].Fraction);
        Assert.Equal(2, export.Count(p => p.Fraction > DailyExport.RollupShare));
    }
}
