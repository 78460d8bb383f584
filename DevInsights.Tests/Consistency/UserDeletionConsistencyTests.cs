using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Otlp.Storage;
using DevInsights.Core.Pricing;
using DevInsights.Core.Providers;
using DevInsights.Core.Retention;
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

/// <summary>Deleting a user "with all their data" takes their figures out of every aggregate, so team figures equal what
/// the remaining raw data says. Each test has a database of its own: team figures sum everyone.</summary>
public sealed class UserDeletionConsistencyTests
{
    [Theory, BothProviders]
    public async Task A_deleted_user_leaves_no_row_behind_and_team_figures_equal_the_remaining_events(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (admin, doomed, kept) = (await app.UserAsync(Roles.Admin), await app.UserAsync(), await app.UserAsync());
        var project = $"https://git.example.com/acme/delete-{Guid.NewGuid():N}";
        foreach (var user in new[] { doomed, kept })
        {
            // A real OTLP session attributed to a project, and batch-API events of another session (Unassigned).
            var (session, install) = (NewSessionId(), NewInstallId());
            (string, string)[] resource = [(InstallId, install), ("devinsights.project", project)];
            await user.Client.PostRequestsAsync(ClaudeLogs(session, resource), ClaudeLaterLogs(session, resource), ClaudeMetrics(session, resource));
            await FixtureFeed.PostAsync(user.Client, BatchEvents(NewSessionId(), DateTime.UtcNow.AddHours(-3)));
        }
        var mappings = app.Services.GetRequiredService<ProviderMappings>();
        var projectId = (await AggregateKit.SessionAsync(app, await SessionOfAsync(app, doomed.Id))).ProjectId;
        await mappings.SetAsync("openai", ProviderMappingKinds.User, "user-" + doomed.Id, null, doomed.Id, "doomed");
        await mappings.SetAsync("anthropic", ProviderMappingKinds.ApiKey, "key-" + doomed.Id, projectId, doomed.Id, null);
        await using (var db = await app.DbAsync())
        {
            // An identity seen in telemetry and linked to the user names them: it goes with them.
            db.Add(new TelemetryIdentity { Kind = TelemetryIdentity.Email, Value = doomed.Email, Client = "claude-code", UserId = doomed.Id, FirstSeenAt = DateTime.UtcNow, LastSeenAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        await RollupTestKit.RunJobAsync<RollupJob>(app);

        using var scope = app.Services.CreateScope();
        var administration = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var preview = await administration.PreviewDeletionAsync(doomed.Id);
        var rows = await AggregateRowsAsync(app, doomed.Id);
        Assert.True(rows > 0);
        Assert.Equal((rows, 2, 1), (preview.AggregateRows, preview.ProviderMappings, preview.Identities));
        var deleted = await administration.DeleteUserAsync(doomed.Email, new AuditActor(admin.Id, admin.Email));
        Assert.Equal((preview.Sessions, preview.Events, rows, 2, 1),
            (deleted.Sessions, (long)deleted.Events, deleted.AggregateRows, deleted.ProviderMappings, deleted.Identities));
        var run = await RollupTestKit.RunJobAsync<RollupJob>(app);

        await AssertNothingHoldsAsync(app, doomed.Id, doomed.Email);
        await using (var db = await app.DbAsync())
        {
            // The mapping that also named a project keeps it; the one that named only the user is gone.
            var left = await db.Set<ProviderMapping>().Where(m => m.ExternalId.EndsWith(doomed.Id)).Select(m => new { m.Kind, m.ProjectId, m.DeveloperId }).ToListAsync();
            Assert.Equal(new { Kind = ProviderMappingKinds.ApiKey, ProjectId = (long?)projectId, DeveloperId = (string?)null }, Assert.Single(left));
        }
        await AggregateKit.AssertAggregatesMatchRawAsync(app, kept.Id);

        // Team figures: sessions (stats) and the rollups (tools) equal the remaining raw rows.
        await using (var db = await app.DbAsync())
        {
            var sessions = await db.Sessions.AsNoTracking().ToListAsync();
            var stats = await admin.Client.GetJsonAsync("/api/v1/team/stats?days=365");
            Assert.Equal((sessions.Count, 1, sessions.Sum(s => s.InputTokens + s.OutputTokens + s.CacheReadTokens + s.CacheCreationTokens)),
                (stats.GetProperty("sessions").GetInt32(), stats.GetProperty("activeDevelopers").GetInt32(), stats.GetProperty("tokens").GetProperty("total").GetInt64()));
            var expected = (await db.Events.AsNoTracking().Where(e => e.ToolName != null && e.Success != null).ToListAsync())
                .GroupBy(e => e.ToolName!).Select(g => (g.Key, (long)g.Count(), (long)g.Count(e => e.Success == true))).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Tools(await admin.Client.GetJsonAsync("/api/v1/team/tools?days=365")));
        }
        Assert.Equal(0, run.Counts!["invalidations"]);
    }

    [Theory, BothProviders]
    public async Task Rollups_of_events_retention_already_deleted_go_with_the_user(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider, new Dictionary<string, string?> { ["DevInsights:Jobs:event-retention:Days"] = "30" });
        var (admin, doomed, kept) = (await app.UserAsync(Roles.Admin), await app.UserAsync(), await app.UserAsync());
        var now = DateTime.UtcNow;
        foreach (var user in new[] { doomed, kept })
        {
            await FixtureFeed.PostAsync(user.Client, BatchEvents(NewSessionId(), now.AddDays(-40)));
            await FixtureFeed.PostAsync(user.Client, BatchEvents(NewSessionId(), now.AddDays(-1)));
        }
        var purge = await RollupTestKit.RunJobAsync<EventRetentionJob>(app);
        Assert.Equal(2 * BatchEvents("x", now).Count, purge.Counts!["events"]);
        await using (var db = await app.DbAsync())
        {
            // Only the aggregates still know the doomed user's old day.
            Assert.Equal(0, await db.Events.CountAsync(e => e.Timestamp < now.AddDays(-30)));
            var oldDay = RollupBuilder.Day(now.AddDays(-40));
            Assert.True(await db.UsageRollups.AnyAsync(u => u.DeveloperId == doomed.Id && u.Grain == RollupGrain.Day && u.Bucket == oldDay && u.Events > 0));
        }
        var keptBefore = await RowsOfAsync(app, kept.Id);

        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().DeleteUserAsync(doomed.Email, new AuditActor(admin.Id, admin.Email));
        await RollupTestKit.RunJobAsync<RollupJob>(app);

        await AssertNothingHoldsAsync(app, doomed.Id, doomed.Email);
        Assert.Equal(keptBefore, await RowsOfAsync(app, kept.Id));
        // The team's tools over both days are the kept user's alone: old day from its rollups, recent day as its raw events.
        var expected = BatchEvents("x", now).Where(e => e.ToolName != null).GroupBy(e => e.ToolName!)
            .Select(g => (g.Key, 2L * g.Count(), 2L * g.Count(e => e.Success == true))).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Tools(await admin.Client.GetJsonAsync("/api/v1/team/tools?days=365")));
    }

    [Theory, BothProviders]
    public async Task Events_after_deleting_the_newest_ones_are_still_rolled_up(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (admin, doomed, kept) = (await app.UserAsync(Roles.Admin), await app.UserAsync(), await app.UserAsync());
        var now = DateTime.UtcNow;
        await FixtureFeed.PostAsync(kept.Client, BatchEvents(NewSessionId(), now.AddHours(-6)));
        // The doomed user's events are the newest: on SQLite their ids are handed out again once they are deleted.
        await FixtureFeed.PostAsync(doomed.Client, BatchEvents(NewSessionId(), now.AddHours(-4)));
        await RollupTestKit.RunJobAsync<RollupJob>(app);

        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().DeleteUserAsync(doomed.Email, new AuditActor(admin.Id, admin.Email));
        await FixtureFeed.PostAsync(kept.Client, BatchEvents(NewSessionId(), now.AddHours(-2)));
        var run = await RollupTestKit.RunJobAsync<RollupJob>(app);

        Assert.Equal(BatchEvents("x", now).Count, run.Counts!["events"]);
        await AggregateKit.AssertAggregatesMatchRawAsync(app, kept.Id);
        await AssertNothingHoldsAsync(app, doomed.Id, doomed.Email);
    }

    /// <summary>One session's events an hour apart from <paramref name="at"/>: two models (one without a price), a client
    /// cost, tool outcomes.</summary>
    private static List<IngestEvent> BatchEvents(string sessionId, DateTime at)
    {
        var e = RollupTestKit.Events(sessionId);
        return [e.At(at, "user_prompt"), e.At(at.AddMinutes(1), "api_request", "claude-sonnet-4-5", input: 3_000, durationMs: 800),
            e.At(at.AddMinutes(2), "tool_result", tool: "Bash", success: true, durationMs: 20), e.At(at.AddMinutes(3), "tool_result", tool: "Bash", success: false),
            e.At(at.AddHours(1), "api_request", "mystery-model-y", input: 500, cost: 0.02, durationMs: 300), e.At(at.AddHours(1).AddMinutes(1), "tool_result", tool: "Read", success: true)];
    }

    private static List<(string, long, long)> Tools(JsonElement response) =>
        [.. response.GetProperty("tools").EnumerateArray().Select(t => (t.GetProperty("tool").GetString()!, t.GetProperty("calls").GetInt64(), t.GetProperty("successes").GetInt64()))
            .OrderBy(t => t.Item1, StringComparer.Ordinal)];

    private static async Task<string> SessionOfAsync(DevInsightsFactory app, string developerId)
    {
        await using var db = await app.DbAsync();
        return await db.Sessions.Where(s => s.DeveloperId == developerId && s.Client == "claude-code" && s.WorkspaceId != null)
            .Select(s => s.ClientSessionId).FirstAsync();
    }

    private static async Task<long> AggregateRowsAsync(DevInsightsFactory app, string developerId)
    {
        await using var db = await app.DbAsync();
        return await db.DailyUsage.LongCountAsync(d => d.DeveloperId == developerId) + await db.Set<DailyCost>().LongCountAsync(d => d.DeveloperId == developerId)
            + await db.UsageRollups.LongCountAsync(u => u.DeveloperId == developerId) + await db.ToolRollups.LongCountAsync(t => t.DeveloperId == developerId);
    }

    /// <summary>Every aggregate row of a developer, as values (daily_usage, daily_costs, usage and tool rollups).</summary>
    private static async Task<string> RowsOfAsync(DevInsightsFactory app, string developerId)
    {
        await using var db = await app.DbAsync();
        var rows = new List<object>();
        rows.AddRange(await db.DailyUsage.AsNoTracking().Where(d => d.DeveloperId == developerId).OrderBy(d => d.Day).ThenBy(d => d.ProjectId).ThenBy(d => d.Model).ToListAsync());
        rows.AddRange(await db.Set<DailyCost>().AsNoTracking().Where(d => d.DeveloperId == developerId).OrderBy(d => d.Day).ThenBy(d => d.ProjectId).ThenBy(d => d.Model).ToListAsync());
        rows.AddRange(await db.UsageRollups.AsNoTracking().Where(u => u.DeveloperId == developerId).OrderBy(u => u.Grain).ThenBy(u => u.Bucket).ThenBy(u => u.ProjectId).ThenBy(u => u.Model).ToListAsync());
        rows.AddRange(await db.ToolRollups.AsNoTracking().Where(t => t.DeveloperId == developerId).OrderBy(t => t.Grain).ThenBy(t => t.Bucket).ThenBy(t => t.ProjectId).ThenBy(t => t.ToolName).ToListAsync());
        Assert.NotEmpty(rows);
        return JsonSerializer.Serialize(rows);
    }

    private static async Task AssertNothingHoldsAsync(DevInsightsFactory app, string id, string email)
    {
        await using var db = await app.DbAsync();
        Assert.Equal(new long[10], new long[]
        {
            await db.Set<TelemetryIdentity>().LongCountAsync(i => i.UserId == id || i.Value == email),
            await db.Sessions.LongCountAsync(s => s.DeveloperId == id),
            await db.DailyUsage.LongCountAsync(d => d.DeveloperId == id),
            await db.Set<DailyCost>().LongCountAsync(d => d.DeveloperId == id),
            await db.UsageRollups.LongCountAsync(u => u.DeveloperId == id),
            await db.ToolRollups.LongCountAsync(t => t.DeveloperId == id),
            await db.Set<MetricPoint>().LongCountAsync(p => p.DeveloperId == id),
            await db.Set<ProviderMapping>().LongCountAsync(m => m.DeveloperId == id),
            await db.Set<TelemetrySource>().LongCountAsync(s => s.DeveloperId == id),
            await db.ApiKeys.LongCountAsync(k => k.UserId == id),
        });
    }
}
