using DevInsights.Core.Configuration;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Rollups;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Otlp.Integration;
using DevInsights.Tests.Rollups;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Consistency;

/// <summary>A session first seen in Unassigned moves to its project once attributed: daily_usage, daily_costs and the
/// rollups must follow it. Each test owns its developer, so every figure is read for that developer only.</summary>
public sealed class SessionMoveConsistencyTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task A_session_moving_out_of_unassigned_takes_its_daily_totals_and_rollups_with_it(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var user = await app.UserAsync();
        var (moving, staying) = (NewSessionId(), NewSessionId());
        var (install, otherInstall) = (NewInstallId(), NewInstallId());
        var unassigned = await app.Services.GetRequiredService<UnassignedProject>().GetIdAsync();

        // Real Claude Code logs without attribution, then batch-API events of the same session on two later days: several
        // days and models, tool outcomes, a client cost, a priced model and one without a price.
        await user.Client.PostRequestsAsync(ClaudeLogs(moving, (InstallId, install)), ClaudeLogs(staying, (InstallId, otherInstall)));
        var firstDay = (await AggregateKit.SessionAsync(app, moving)).LastEventAt;
        var e = RollupTestKit.Events(moving);
        await FixtureFeed.PostAsync(user.Client, [
            e.At(firstDay.AddDays(1), "api_request", "claude-sonnet-4-5", input: 4_000, durationMs: 900),
            e.At(firstDay.AddDays(1).AddMinutes(1), "tool_result", tool: "Bash", success: false, durationMs: 30),
            e.At(firstDay.AddDays(2), "api_request", "mystery-model-x", input: 700, durationMs: 400),
            e.At(firstDay.AddDays(2).AddMinutes(3), "api_request", "claude-sonnet-4-5", input: 50, cost: 0.25, durationMs: 300),
            e.At(firstDay.AddDays(2).AddMinutes(4), "tool_result", tool: "Read", success: true),
        ]);
        // A late event a day before the other session's start: its start (and sessions_started) moves to that day.
        await FixtureFeed.PostAsync(user.Client, [RollupTestKit.Events(staying).At(firstDay.AddDays(-1), "user_prompt")]);
        await RollupTestKit.RunJobAsync<RollupJob>(app);
        await AggregateKit.AssertAggregatesMatchRawAsync(app, user.Id);
        Assert.Equal(unassigned, (await AggregateKit.SessionAsync(app, moving)).ProjectId);

        // The administrator rolls out OTEL_RESOURCE_ATTRIBUTES while the session runs: it moves with its events.
        (string, string)[] attributed = [(InstallId, install), ("devinsights.project", $"https://git.example.com/acme/move-{Guid.NewGuid():N}")];
        await user.Client.PostRequestsAsync(ClaudeLaterLogs(moving, attributed), ClaudeMetrics(moving, attributed));
        var moved = (await AggregateKit.SessionAsync(app, moving));
        Assert.NotEqual(unassigned, moved.ProjectId);

        // The daily tables moved in the move's own transaction; the rollups once the job has run.
        await AggregateKit.AssertAggregatesMatchRawAsync(app, user.Id, rollups: false);
        await using (var db = await app.DbAsync())
            Assert.True(await db.Set<RollupInvalidation>().AnyAsync(i => i.ProjectId == unassigned), "the move asks for the old project's rollups");
        var run = await RollupTestKit.RunJobAsync<RollupJob>(app);
        Assert.True(run.Counts!["invalidations"] >= 2, run.Summary);
        await AggregateKit.AssertAggregatesMatchRawAsync(app, user.Id);

        // Unassigned keeps exactly the session that stayed, and nothing of the one that left.
        var stayed = (await AggregateKit.SessionAsync(app, staying));
        await using (var db = await app.DbAsync())
        {
            Assert.Equal(0, await db.Events.CountAsync(x => x.SessionId == moved.Id && x.ProjectId != moved.ProjectId));
            var old = new { Daily = await db.DailyUsage.Where(d => d.DeveloperId == user.Id && d.ProjectId == unassigned).SumAsync(d => d.Events),
                Started = await db.DailyUsage.Where(d => d.DeveloperId == user.Id && d.ProjectId == unassigned).SumAsync(d => d.SessionsStarted),
                Hourly = await db.UsageRollups.Where(u => u.DeveloperId == user.Id && u.ProjectId == unassigned && u.Grain == RollupGrain.Hour).SumAsync(u => u.Events),
                Tools = await db.ToolRollups.Where(t => t.DeveloperId == user.Id && t.ProjectId == unassigned && t.Grain == RollupGrain.Day).SumAsync(t => t.Calls) };
            Assert.Equal(new { Daily = stayed.EventCount, Started = 1L, Hourly = stayed.EventCount,
                Tools = (long)await db.Events.CountAsync(x => x.SessionId == stayed.Id && x.ToolName != null && x.Success != null) }, old);
            Assert.Equal(moved.EventCount, await db.DailyUsage.Where(d => d.DeveloperId == user.Id && d.ProjectId == moved.ProjectId).SumAsync(d => d.Events));
            Assert.Equal(0, await db.Set<Core.Pricing.DailyCost>().CountAsync(d => d.DeveloperId == user.Id && d.ProjectId == unassigned
                && d.Day > DateOnly.FromDateTime(stayed.LastEventAt)));
            Assert.False(await db.Set<RollupInvalidation>().AnyAsync(i => i.ProjectId == unassigned || i.ProjectId == moved.ProjectId));
        }

        // Running again changes nothing.
        var again = await RollupTestKit.RunJobAsync<RollupJob>(app);
        Assert.Equal(0, again.Counts!["invalidations"]);
        await AggregateKit.AssertAggregatesMatchRawAsync(app, user.Id);
    }
}
