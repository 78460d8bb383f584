using DevInsights.Core.Configuration;
using DevInsights.Core.Rollups;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Rollups;

public sealed class RollupJobTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Rollup_totals_equal_the_raw_totals_after_late_events_and_after_re_running(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2032, 3, 10), days: 6);
        var user = await app.UserAsync();
        var claude = FixtureFeed.ClaudeEvents(FixtureFeed.ToolScenario, "rollup-fixture-" + Guid.NewGuid().ToString("N"));
        await FixtureFeed.PostAsync(user.Client, claude);
        var projects = await ProjectsOfAsync(app, team, claude[0].ClientSessionId);

        var first = await RollupTestKit.RunJobAsync<RollupJob>(app);
        Assert.True(first.Counts!["events"] >= team.Events.Count + claude.Count, first.Summary);
        await AssertRollupsMatchRawAsync(app, projects);

        // Late events: an old hour that is already rolled up, and a day before the session's first event (its start moves).
        var codex = "rollup-late-" + Guid.NewGuid().ToString("N");
        var at = new DateTime(2032, 3, 6, 10, 15, 0, DateTimeKind.Utc);
        var e = RollupTestKit.Events(codex);
        await FixtureFeed.PostAsync(user.Client, [e.At(at, "user_prompt"), e.At(at.AddMinutes(1), "api_request", "gpt-5", input: 900, cost: 0.03, durationMs: 1200)], "codex");
        Assert.Equal(2, (await RollupTestKit.RunJobAsync<RollupJob>(app)).Counts!["events"]);
        await FixtureFeed.PostAsync(user.Client, [e.At(at.AddHours(-30), "tool_result", tool: "shell", success: false, durationMs: 40),
            e.At(at.AddMinutes(2), "tool_result", tool: "shell", success: true)], "codex");
        var late = await RollupTestKit.RunJobAsync<RollupJob>(app);
        Assert.Equal(2, late.Counts!["events"]);
        projects = [.. projects.Union(await ProjectsOfAsync(app, team, codex))];
        await AssertRollupsMatchRawAsync(app, projects);
        await using (var db = await app.DbAsync())
        {
            var session = await db.Sessions.SingleAsync(s => s.ClientSessionId == codex);
            var starts = await db.UsageRollups.Where(u => u.ProjectId == session.ProjectId && u.Grain == RollupGrain.Hour && u.SessionsStarted > 0
                && u.Client == "codex" && u.DeveloperId == user.Id).Select(u => new { u.Bucket, u.SessionsStarted }).ToListAsync();
            // The session is counted once, in the hour of its (new) first event, not also in the hour it first started in.
            Assert.Equal([(RollupTestKit.BucketOf(RollupGrain.Hour, at.AddHours(-30)), 1L)], starts.Select(s => (s.Bucket, s.SessionsStarted)));
        }

        // Re-running with nothing new changes nothing.
        var before = await RollupTestKit.StoredAsync(app, projects, RollupGrain.Hour);
        var again = await RollupTestKit.RunJobAsync<RollupJob>(app);
        Assert.Equal(0, again.Counts!["events"]);
        Assert.Equal(before, await RollupTestKit.StoredAsync(app, projects, RollupGrain.Hour));
        await AssertRollupsMatchRawAsync(app, projects);
    }

    [Theory, BothProviders]
    public async Task Daily_buckets_agree_with_daily_usage_and_carry_the_session_figures(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2032, 5, 20), days: 4, seed: 11);
        await RollupTestKit.RunJobAsync<RollupJob>(app);
        var projects = team.Projects.Select(p => p.Id).ToList();

        await using var db = await app.DbAsync();
        var daily = (await db.UsageRollups.AsNoTracking().Where(u => u.Grain == RollupGrain.Day && projects.Contains(u.ProjectId)).ToListAsync())
            .GroupBy(u => (DateOnly.FromDateTime(u.Bucket), u.ProjectId, u.DeveloperId, u.Client, u.Model))
            .Select(g => (g.Key, g.Sum(u => u.Events), g.Sum(u => u.InputTokens + u.OutputTokens + u.CacheReadTokens + u.CacheCreationTokens),
                RollupTestKit.Round(g.Sum(u => u.CostUsd)), g.Sum(u => u.ToolCalls), g.Sum(u => u.ToolErrors), g.Sum(u => u.SessionsStarted)))
            .OrderBy(r => r.Key).ToList();
        var usage = (await db.DailyUsage.AsNoTracking().Where(d => projects.Contains(d.ProjectId)).ToListAsync())
            .Select(d => ((d.Day, d.ProjectId, d.DeveloperId, d.Client, d.Model), d.Events, d.InputTokens + d.OutputTokens + d.CacheReadTokens + d.CacheCreationTokens,
                RollupTestKit.Round(d.CostUsd), d.ToolCalls, d.ToolErrors, d.SessionsStarted))
            .OrderBy(r => r.Item1).ToList();
        Assert.Equal(usage, daily);

        var rows = await db.UsageRollups.AsNoTracking().Where(u => u.Grain == RollupGrain.Hour && projects.Contains(u.ProjectId)).ToListAsync();
        Assert.Equal(team.Sessions.Count, rows.Sum(r => r.SessionsStarted));
        Assert.Equal(team.Sessions.Sum(s => s.DurationMs), rows.Sum(r => r.SessionDurationMs));
        foreach (var s in team.Sessions)
            Assert.Contains(rows, r => r.Bucket == RollupTestKit.BucketOf(RollupGrain.Hour, s.StartedAt) && r.WorkspaceId == s.WorkspaceId && r.SessionsStarted > 0);
    }

    [Theory, BothProviders]
    public async Task Tool_reads_are_exact_before_the_job_after_it_and_with_events_it_has_not_folded_yet(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2032, 8, 12), days: 5, seed: 3);
        var queries = app.Services.GetRequiredService<RollupQueries>();
        var project = team.Projects[0].Id;
        // Two whole days plus the afternoon before them: day buckets, hour buckets and (before the job) raw events.
        var from = new DateTime(2032, 8, 9, 12, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2032, 8, 12, 0, 0, 0, DateTimeKind.Utc);

        async Task AssertExactAsync()
        {
            await using var db = await app.DbAsync();
            var expected = (await db.Events.AsNoTracking().Where(e => e.ProjectId == project && e.ToolName != null && e.Success != null
                    && e.Timestamp >= from && e.Timestamp < to).ToListAsync())
                .GroupBy(e => e.ToolName!).Select(g => new ToolTotals(g.Key, g.Count(), g.Count(e => e.Success == true), g.Count(e => e.Success == false)))
                .OrderByDescending(t => t.Calls).ThenBy(t => t.Tool, StringComparer.Ordinal).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, await queries.ToolsAsync(new RollupScope(ProjectId: project), from, to));
        }

        await AssertExactAsync();
        await RollupTestKit.RunJobAsync<RollupJob>(app);
        await AssertExactAsync();
        // Events stored after the job (above its watermark), in buckets it already rolled up.
        await using (var db = await app.DbAsync())
        {
            var session = team.Sessions.First(s => s.ProjectId == project && s.StartedAt >= from && s.StartedAt < to);
            db.Events.AddRange(Enumerable.Range(0, 3).Select(i => new Core.Sessions.AgentEvent
            {
                SessionId = session.Id, ProjectId = project, MachineId = session.MachineId, WorkspaceId = session.WorkspaceId,
                Timestamp = session.StartedAt.AddMinutes(i), Type = "tool_result", ToolName = "Grep", Success = i != 1, Source = "api", ReceivedAt = DateTime.UtcNow,
            }));
            await db.SaveChangesAsync();
        }
        await AssertExactAsync();
        await RollupTestKit.RunJobAsync<RollupJob>(app);
        await AssertExactAsync();
    }

    private static async Task AssertRollupsMatchRawAsync(DevInsightsFactory app, IReadOnlyCollection<long> projects)
    {
        foreach (var grain in new[] { RollupGrain.Hour, RollupGrain.Day })
        {
            Assert.Equal(await RollupTestKit.ExpectedAsync(app, projects, grain), await RollupTestKit.StoredAsync(app, projects, grain));
            var (stored, expected) = await RollupTestKit.ToolsAsync(app, projects, grain);
            Assert.Equal(expected, stored);
        }
    }

    private static async Task<List<long>> ProjectsOfAsync(DevInsightsFactory app, SeededTeam team, string clientSessionId)
    {
        await using var db = await app.DbAsync();
        var project = await db.Sessions.Where(s => s.ClientSessionId == clientSessionId).Select(s => s.ProjectId).SingleAsync();
        return [.. team.Projects.Select(p => p.Id).Append(project).Distinct()];
    }
}
