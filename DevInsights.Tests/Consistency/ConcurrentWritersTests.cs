using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Rollups;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Rollups;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Consistency;

/// <summary>Writers that touch the same sessions, events and aggregates at once: each test puts one of them in the middle
/// of another at the point where they used to go wrong, and checks every aggregate against the raw data.</summary>
public sealed class ConcurrentWritersTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    private static readonly DateTime Day = new(2025, 3, 12, 10, 0, 0, DateTimeKind.Utc);

    [Theory, BothProviders]
    public async Task A_late_event_written_with_the_place_a_move_just_changed_counts_the_start_where_the_session_is(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var user = await app.UserAsync();
        var sessionId = "s-" + Guid.NewGuid().ToString("N");
        var e = RollupTestKit.Events(sessionId);
        await FixtureFeed.PostAsync(user.Client, [e.At(Day, "api_request", "claude-sonnet-4-5", input: 1_000)]);
        var session = await AggregateKit.SessionAsync(app, sessionId);
        var project = await NewProjectAsync(app);

        // The move commits while the writer's cache still places the session where it was: the placer makes the writer
        // forget it only afterwards, and another instance's writer keeps its own cache.
        await app.Services.GetRequiredService<SessionMover>().MoveAsync(new SessionRef(session.Id, project, session.MachineId, session.WorkspaceId,
            session.DeveloperId, session.Client));
        // A late event a day before the start moves the session's start to that day.
        await FixtureFeed.PostAsync(user.Client, [e.At(Day.AddDays(-1), "user_prompt")]);

        Assert.Equal(Day.AddDays(-1), (await AggregateKit.SessionAsync(app, sessionId)).StartedAt);
        await AggregateKit.AssertAggregatesMatchRawAsync(app, user.Id, rollups: false);
        await using (var db = await app.DbAsync())
            Assert.Equal(1, await db.DailyUsage.Where(d => d.DeveloperId == user.Id && d.ProjectId == project).SumAsync(d => d.SessionsStarted));
        await RollupTestKit.RunJobAsync<RollupJob>(app);
        await AggregateKit.AssertAggregatesMatchRawAsync(app, user.Id);
    }

    [Fact]
    public async Task A_move_waits_for_a_transaction_holding_the_rollup_state_and_the_sessions_events_instead_of_deadlocking()
    {
        var app = await apps.GetAsync(DatabaseProvider.Postgres);
        var user = await app.UserAsync();
        var sessionId = "s-" + Guid.NewGuid().ToString("N");
        var e = RollupTestKit.Events(sessionId);
        await FixtureFeed.PostAsync(user.Client, [e.At(Day, "api_request", "claude-sonnet-4-5", input: 1_000), e.At(Day.AddMinutes(1), "user_prompt")]);
        var session = await AggregateKit.SessionAsync(app, sessionId);
        var project = await NewProjectAsync(app);

        // What a re-pricing batch (or a user deletion) does: the rollup state row, the events, then their session.
        var connections = app.Services.GetRequiredService<DatabaseConnections>();
        await using var other = await connections.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await RollupSql.LockStateAsync(other, tx, sqlite: false, CancellationToken.None);
        await RollupSql.ExecuteAsync(other, tx, "SELECT id FROM events WHERE session_id = @id ORDER BY id FOR UPDATE",
            new Dictionary<string, object> { ["@id"] = session.Id }, CancellationToken.None);

        var move = app.Services.GetRequiredService<SessionMover>().MoveAsync(new SessionRef(session.Id, project, session.MachineId,
            session.WorkspaceId, session.DeveloperId, session.Client));
        await WaitForLockWaitAsync(connections);
        // With the move holding the session while it waited for the events, this update closed a cycle (40P01).
        await RollupSql.ExecuteAsync(other, tx, "UPDATE sessions SET updated_at = updated_at WHERE id = @id",
            new Dictionary<string, object> { ["@id"] = session.Id }, CancellationToken.None);
        await tx.CommitAsync();

        Assert.Equal(2, await move.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(project, (await AggregateKit.SessionAsync(app, sessionId)).ProjectId);
        await AggregateKit.AssertAggregatesMatchRawAsync(app, user.Id, rollups: false);
    }

    [Theory, BothProviders]
    public async Task A_rollup_pass_that_another_pass_overtook_does_not_add_late_events_to_purged_buckets_twice(DatabaseProvider provider)
    {
        // Its own app: the retention horizon set below holds for every project.
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var user = await app.UserAsync();
        var e = RollupTestKit.Events("s-" + Guid.NewGuid().ToString("N"));
        await FixtureFeed.PostAsync(user.Client, [e.At(Day, "api_request", "claude-sonnet-4-5", input: 1_000)]);
        await RollupTestKit.RunJobAsync<RollupJob>(app);
        // As after retention deleted the events before the next day: buckets there are only added to from now on.
        await using (var db = await app.DbAsync())
            await db.Database.ExecuteSqlRawAsync("UPDATE rollup_state SET purged_before = {0} WHERE name = {1}", [Day.Date.AddDays(1), RollupState.UsageName]);
        await FixtureFeed.PostAsync(user.Client, [e.At(Day.AddHours(1), "api_request", "claude-sonnet-4-5", input: 300)]);

        // The export's or retention's pass reads the state, then the scheduled one runs to its end before it goes on.
        var scheduled = app.Services.GetRequiredService<RollupBuilder>();
        var overtaken = new RollupBuilder(app.Services.GetRequiredService<DatabaseConnections>(),
            app.Services.GetRequiredService<IDbContextFactory<DevInsightsDbContext>>(),
            new InterleavingClock(() => scheduled.RunAsync().GetAwaiter().GetResult()));
        await overtaken.RunAsync();

        await AggregateKit.AssertAggregatesMatchRawAsync(app, user.Id);
        await using (var db = await app.DbAsync())
            Assert.Equal(1_300, await db.UsageRollups.Where(u => u.DeveloperId == user.Id && u.Grain == RollupGrain.Day).SumAsync(u => u.InputTokens));
    }

    private static async Task<long> NewProjectAsync(DevInsightsFactory app) =>
        await app.Services.GetRequiredService<HierarchyService>().ResolveProjectAsync($"https://git.example.com/acme/{Guid.NewGuid():N}", "", null);

    /// <summary>Until a connection to this database waits for a lock (the move). Asked outside the other transaction:
    /// pg_stat_activity is read once per transaction.</summary>
    private static async Task WaitForLockWaitAsync(DatabaseConnections connections)
    {
        await using var connection = await connections.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var command = RollupSql.Command(connection, null,
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
                new Dictionary<string, object>());
            if (Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0) return;
            Assert.True(DateTime.UtcNow < deadline, "the move never waited for the other transaction");
            await Task.Delay(20);
        }
    }

    /// <summary>Runs <paramref name="interleave"/> the first time the pass reads the clock: after it read the rollup state,
    /// before it reads the events.</summary>
    private sealed class InterleavingClock(Action interleave) : TimeProvider
    {
        private int _calls;

        public override DateTimeOffset GetUtcNow()
        {
            if (Interlocked.Increment(ref _calls) == 1) interleave();
            return base.GetUtcNow();
        }
    }
}
