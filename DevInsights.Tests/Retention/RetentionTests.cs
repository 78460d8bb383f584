using DevInsights.Core.Configuration;
using DevInsights.Core.Export;
using DevInsights.Core.Retention;
using DevInsights.Core.Rollups;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Rollups;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Retention;

public sealed class RetentionTests
{
    [Theory, BothProviders]
    public async Task Raw_events_go_only_where_their_rollups_exist_and_late_events_add_to_purged_buckets(DatabaseProvider provider)
    {
        // A database of its own: retention sweeps every project.
        await using var app = await DevInsightsFactory.CreateAsync(provider, new Dictionary<string, string?> { ["DevInsights:Jobs:event-retention:Days"] = "30" });
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var old = await DashboardData.SeedTeamAsync(app, today.AddDays(-40), days: 5);
        var recent = await DashboardData.SeedTeamAsync(app, today.AddDays(-1), days: 2, seed: 5);
        await RollupTestKit.RunJobAsync<RollupJob>(app);
        var oldProjects = old.Projects.Select(p => p.Id).ToList();
        var before = await RollupTestKit.StoredAsync(app, oldProjects, RollupGrain.Day);

        // One project-day loses its rollup (as if it had never been rolled up): its events must stay, and so must
        // every later day's, while the days before it go.
        var missing = old.FirstDay.AddDays(2);
        var missingStart = missing.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var missingProject = old.Events.First(e => DateOnly.FromDateTime(e.Timestamp) == missing).ProjectId;
        await using (var db = await app.DbAsync())
            await db.UsageRollups.Where(u => u.ProjectId == missingProject && u.Grain == RollupGrain.Day && u.Bucket == missingStart).ExecuteDeleteAsync();

        var outcome = await RollupTestKit.RunJobAsync<EventRetentionJob>(app);

        var expectedGone = old.Events.Where(e => DateOnly.FromDateTime(e.Timestamp) < missing).ToList();
        Assert.NotEmpty(expectedGone);
        Assert.Equal(expectedGone.Count, outcome.Counts!["events"]);
        Assert.True(outcome.Counts["skippedProjectDays"] >= 1, outcome.Summary);
        await using (var db = await app.DbAsync())
        {
            var ids = old.Events.Select(e => e.Id).Concat(recent.Events.Select(e => e.Id)).ToList();
            var left = await db.Events.Where(e => ids.Contains(e.Id)).Select(e => e.Id).ToListAsync();
            Assert.Equal(old.Events.Concat(recent.Events).Where(e => DateOnly.FromDateTime(e.Timestamp) >= missing).Select(e => e.Id).Order(), left.Order());
            Assert.Equal(old.Events.Count(e => e.ProjectId == missingProject && DateOnly.FromDateTime(e.Timestamp) == missing),
                await db.Events.CountAsync(e => e.ProjectId == missingProject && e.Timestamp >= missingStart && e.Timestamp < missingStart.AddDays(1)));
            // The dashboards' history stays: sessions and daily_usage are untouched.
            Assert.Equal(old.Sessions.Count, await db.Sessions.CountAsync(s => oldProjects.Contains(s.ProjectId)));
            Assert.Equal(old.Events.Count, await db.DailyUsage.Where(d => oldProjects.Contains(d.ProjectId)).SumAsync(d => d.Events));
        }
        // The purged days' buckets are as they were.
        var kept = await RollupTestKit.StoredAsync(app, oldProjects, RollupGrain.Day);
        Assert.Equal(before.Where(b => DateOnly.FromDateTime(b.Bucket) < missing), kept.Where(b => DateOnly.FromDateTime(b.Bucket) < missing));

        // A late event for a purged day is added to its bucket, never a rebuild from the one raw event left.
        var firstDay = old.FirstDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var session = old.Sessions.First(s => s.StartedAt < firstDay.AddDays(1));
        var bucketBefore = kept.Where(b => b.Bucket == firstDay && b.ProjectId == session.ProjectId).Sum(b => b.Events);
        await using (var db = await app.DbAsync())
        {
            db.Events.Add(new Core.Sessions.AgentEvent
            {
                SessionId = session.Id, ProjectId = session.ProjectId, MachineId = session.MachineId, WorkspaceId = session.WorkspaceId,
                Timestamp = session.StartedAt.AddSeconds(1), Type = "user_prompt", Source = "api", ReceivedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        await RollupTestKit.RunJobAsync<RollupJob>(app);
        var after = await RollupTestKit.StoredAsync(app, [session.ProjectId], RollupGrain.Day);
        Assert.Equal(bucketBefore + 1, after.Where(b => b.Bucket == firstDay).Sum(b => b.Events));

        // While it is the newest event it stays (SQLite would hand its id out again); once a newer one arrives, the next
        // sweep deletes it too (its bucket covers it) and nothing it must keep.
        Assert.Equal(0, (await RollupTestKit.RunJobAsync<EventRetentionJob>(app)).Counts!["events"]);
        await using (var db = await app.DbAsync())
        {
            db.Events.Add(new Core.Sessions.AgentEvent
            {
                SessionId = session.Id, ProjectId = session.ProjectId, MachineId = session.MachineId, WorkspaceId = session.WorkspaceId,
                Timestamp = DateTime.UtcNow, Type = "user_prompt", Source = "api", ReceivedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        var second = await RollupTestKit.RunJobAsync<EventRetentionJob>(app);
        Assert.Equal(1, second.Counts!["events"]);
    }

    [Theory, BothProviders]
    public async Task A_purged_range_with_a_missing_rollup_in_the_middle_keeps_that_day_and_every_later_one(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider, new Dictionary<string, string?> { ["DevInsights:Jobs:event-retention:Days"] = "30" });
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var old = await DashboardData.SeedTeamAsync(app, today.AddDays(-40), days: 6);
        // The first sweep finds every old day covered: all go but the newest event (so SQLite never hands its id out again),
        // and the purge horizon moves past them.
        Assert.Equal(old.Events.Count - 1, (await RollupTestKit.RunJobAsync<EventRetentionJob>(app)).Counts!["events"]);
        var newest = old.Events.MaxBy(e => e.Id)!;
        await using (var db = await app.DbAsync())
            Assert.Equal([newest.Id], await db.Events.Select(e => e.Id).ToListAsync());

        // Late events reach three consecutive purged days of one project and are rolled up onto those days' buckets...
        var session = old.Sessions[0];
        var days = Enumerable.Range(1, 3).Select(i => old.FirstDay.AddDays(i).ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc)).ToList();
        await using (var db = await app.DbAsync())
        {
            foreach (var at in days.SelectMany(d => new[] { d, d.AddMinutes(5) }))
                db.Events.Add(new Core.Sessions.AgentEvent
                {
                    SessionId = session.Id, ProjectId = session.ProjectId, MachineId = session.MachineId, WorkspaceId = session.WorkspaceId,
                    Timestamp = at, Type = "user_prompt", Source = "api", ReceivedAt = DateTime.UtcNow,
                });
            await db.SaveChangesAsync();
        }
        await RollupTestKit.RunJobAsync<RollupJob>(app);
        // ...but the middle day's rollup goes missing, hours and day.
        var middle = RollupTestKit.BucketOf(RollupGrain.Day, days[1]);
        await using (var db = await app.DbAsync())
            Assert.True(await db.UsageRollups.Where(u => u.ProjectId == session.ProjectId && u.Bucket >= middle && u.Bucket < middle.AddDays(1)).ExecuteDeleteAsync() > 0);

        var outcome = await RollupTestKit.RunJobAsync<EventRetentionJob>(app);

        // Only what lies before the uncovered day goes (the first day's late events, and the old newest event if it was
        // earlier); the uncovered day and everything after it stay, and the summary says why.
        var newestBefore = newest.Timestamp < middle ? 1 : 0;
        Assert.Equal(2 + newestBefore, outcome.Counts!["events"]);
        Assert.Contains($"project {session.ProjectId}'s rollups do not cover its events yet (its day bucket counts 0 event(s) against 2 stored)", outcome.Summary);
        await using (var db = await app.DbAsync())
        {
            var left = await db.Events.Where(e => e.Id != newest.Id).Select(e => e.Timestamp).ToListAsync();
            Assert.Equal(days.Skip(1).SelectMany(d => new[] { d, d.AddMinutes(5) }), left.Select(t => DateTime.SpecifyKind(t, DateTimeKind.Utc)).Order());
            Assert.Equal(1 - newestBefore, await db.Events.CountAsync(e => e.Id == newest.Id));
        }
    }

    [Theory, BothProviders]
    public async Task With_zero_days_raw_events_are_kept_forever(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-400), days: 2);
        using var scope = app.Services.CreateScope();
        var job = scope.ServiceProvider.GetRequiredService<EventRetentionJob>();
        Assert.Contains("DevInsights:Jobs:event-retention:Days is 0", job.DisabledReason);
        Assert.Equal(0, (await RollupTestKit.RunJobAsync<EventRetentionJob>(app)).Counts!["events"]);
        await using var db = await app.DbAsync();
        Assert.Equal(team.Events.Count, await db.Events.CountAsync());
    }

    [Fact]
    public async Task Export_files_older_than_the_configured_days_are_removed_with_their_empty_directories()
    {
        await using var app = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite,
            new Dictionary<string, string?> { ["DevInsights:Jobs:export-retention:Days"] = "10" });
        var directory = app.Services.GetRequiredService<ExportPaths>().Directory;
        string Write(string relative, int ageDays)
        {
            var path = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, new byte[100]);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddDays(-ageDays));
            return path;
        }
        var oldFiles = new[] { Write("events/year=2030/month=01/events-2030-01-01.parquet", 40), Write("events/year=2030/month=01/events-2030-01-02.parquet", 11),
            Write("manual/.sessions.csv.tmp", 20) };
        var newFiles = new[] { Write("events/year=2030/month=02/events-2030-02-01.parquet", 9), Write("manual/sessions.csv", 1) };

        var outcome = await RollupTestKit.RunJobAsync<ExportRetentionJob>(app);

        Assert.Equal((3L, 300L), (outcome.Counts!["files"], outcome.Counts["bytes"]));
        Assert.All(oldFiles, f => Assert.False(File.Exists(f)));
        Assert.All(newFiles, f => Assert.True(File.Exists(f)));
        Assert.False(Directory.Exists(Path.Combine(directory, "events", "year=2030", "month=01")));
        Assert.True(Directory.Exists(Path.Combine(directory, "events", "year=2030", "month=02")));
        Assert.Equal(1, outcome.Counts["directories"]);
    }
}
