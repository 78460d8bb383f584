using DevInsights.Core.Configuration;
using DevInsights.Core.Dashboard;
using DevInsights.Core.Data;
using DevInsights.Core.Data.Migrations;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DevInsights.Tests.Dashboard;

public sealed class DailyUsageTests(SessionsAppFixture fixture) : IClassFixture<SessionsAppFixture>
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_rebuilt_rollup_equals_the_sums_over_the_raw_events(DatabaseProvider provider)
    {
        var app = await fixture.AppAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2031, 1, 20), days: 8);

        var rows = await RollupOf(app, team);
        Assert.Equal(Expected(team).Select(Comparable), rows.Select(Comparable));
        Assert.Equal(team.Sessions.Count, rows.Sum(r => r.SessionsStarted));
        Assert.Equal(team.Events.Count, rows.Sum(r => r.Events));
        Assert.Equal(team.Events.Sum(e => e.CostUsd ?? 0), rows.Sum(r => r.CostUsd), 6);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Rebuilding_a_day_replaces_that_day_only(DatabaseProvider provider)
    {
        var app = await fixture.AppAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2031, 2, 20), days: 5);
        var day = team.Events.Select(e => DateOnly.FromDateTime(e.Timestamp)).Max();
        var before = await RollupOf(app, team);

        // Events of that day vanish behind the writer's back (a retention sweep, say): the rebuild follows the raw rows.
        await using (var db = await app.DbAsync())
        {
            var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var ids = team.Events.Select(e => e.Id).ToList();
            await db.Events.Where(e => ids.Contains(e.Id) && e.Timestamp >= start).ExecuteDeleteAsync();
        }
        await app.Services.GetRequiredService<DailyUsageRebuilder>().RebuildAsync(day, day);

        var after = await RollupOf(app, team);
        Assert.Equal(before.Where(r => r.Day != day).Select(Comparable), after.Where(r => r.Day != day).Select(Comparable));
        // Only the sessions-started counts remain for that day: the sessions still exist, their events do not.
        Assert.All(after.Where(r => r.Day == day), r =>
        {
            Assert.Equal(0, r.Events);
            Assert.Equal(0, r.InputTokens + r.OutputTokens + r.CacheReadTokens + r.CacheCreationTokens);
            Assert.Equal(0, r.CostUsd);
        });
        Assert.Equal(before.Where(r => r.Day == day).Sum(r => r.SessionsStarted), after.Where(r => r.Day == day).Sum(r => r.SessionsStarted));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Migration_0006_rolls_up_the_events_already_stored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var options = Options.Create(new DevInsightsOptions { DataDirectory = database.DataDirectory, Database = { Provider = provider } });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(database.Settings()).Build();
        var connections = new DatabaseConnections(options, configuration);
        var migrator = new SchemaMigrator(connections, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(targetVersion: 5);

        // The previous version's data, written the way that version wrote it (EF without the rollup).
        var builder = new DbContextOptionsBuilder<DevInsightsDbContext>();
        connections.Configure(builder);
        await using (var db = new DevInsightsDbContext(builder.Options))
            await LegacyData.WriteAsync(db);

        Assert.Equal(1, await migrator.MigrateAsync());
        await using (var db = new DevInsightsDbContext(builder.Options))
        {
            var rows = await db.DailyUsage.OrderBy(d => d.Day).ThenBy(d => d.Model).ToListAsync();
            Assert.Equal(LegacyData.Expected, rows.Select(r => (r.Day, r.DeveloperId, r.Client, r.Model, r.Events, r.ApiRequests,
                r.InputTokens, r.CacheReadTokens, r.ToolCalls, r.ToolErrors, r.SessionsStarted)).ToList());
            Assert.Equal(0.75, rows.Sum(r => r.CostUsd), 9);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>A row as a value (sums of doubles differ in the last bits with the order of addition).</summary>
    private static object Comparable(DailyUsage d) => (d.Day, d.ProjectId, d.DeveloperId, d.Client, d.Model, d.Events, d.ApiRequests,
        d.InputTokens, d.OutputTokens, d.CacheReadTokens, d.CacheCreationTokens, Math.Round(d.CostUsd, 9), d.ToolCalls, d.ToolErrors, d.SessionsStarted);

    private static async Task<List<DailyUsage>> RollupOf(DevInsightsFactory app, SeededTeam team)
    {
        var projects = team.Projects.Select(p => p.Id).ToList();
        await using var db = await app.DbAsync();
        var rows = await db.DailyUsage.AsNoTracking().Where(d => projects.Contains(d.ProjectId)).ToListAsync();
        return [.. rows.OrderBy(r => r.Day).ThenBy(r => r.ProjectId).ThenBy(r => r.DeveloperId, StringComparer.Ordinal)
            .ThenBy(r => r.Client, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)];
    }

    /// <summary>The rollup computed in memory from the seed's events and sessions, independently of any SQL.</summary>
    private static List<DailyUsage> Expected(SeededTeam team)
    {
        var sessions = team.Sessions.ToDictionary(s => s.Id);
        var rows = team.Events
            .GroupBy(e => (Day: DateOnly.FromDateTime(e.Timestamp), e.ProjectId, Dev: sessions[e.SessionId].DeveloperId ?? "",
                sessions[e.SessionId].Client, Model: e.Model ?? ""))
            .ToDictionary(g => g.Key, g => new DailyUsage
            {
                Day = g.Key.Day, ProjectId = g.Key.ProjectId, DeveloperId = g.Key.Dev, Client = g.Key.Client, Model = g.Key.Model,
                Events = g.Count(), ApiRequests = g.Count(e => e.Type == "api_request"),
                InputTokens = g.Sum(e => e.InputTokens), OutputTokens = g.Sum(e => e.OutputTokens),
                CacheReadTokens = g.Sum(e => e.CacheReadTokens), CacheCreationTokens = g.Sum(e => e.CacheCreationTokens),
                CostUsd = g.Sum(e => e.CostUsd ?? 0), ToolCalls = g.Count(e => e.ToolName != null && e.Success != null),
                ToolErrors = g.Count(e => e.ToolName != null && e.Success == false),
            });
        foreach (var started in team.Sessions.GroupBy(s => (Day: DateOnly.FromDateTime(s.StartedAt), s.ProjectId, Dev: s.DeveloperId ?? "", s.Client, Model: "")))
        {
            if (!rows.TryGetValue(started.Key, out var row))
                rows[started.Key] = row = new DailyUsage
                {
                    Day = started.Key.Day, ProjectId = started.Key.ProjectId, DeveloperId = started.Key.Dev, Client = started.Key.Client, Model = "",
                };
            row.SessionsStarted = started.Count();
        }
        return [.. rows.Values.OrderBy(r => r.Day).ThenBy(r => r.ProjectId).ThenBy(r => r.DeveloperId, StringComparer.Ordinal)
            .ThenBy(r => r.Client, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)];
    }
}

/// <summary>Data of a database from before the rollup existed, and what migration 0006 must make of it.</summary>
internal static class LegacyData
{
    public static readonly List<(DateOnly, string, string, string, long, long, long, long, long, long, long)> Expected =
    [
        (new DateOnly(2030, 5, 1), "legacy-dev", "claude-code", "", 3, 0, 0, 0, 2, 1, 1),
        (new DateOnly(2030, 5, 1), "legacy-dev", "claude-code", "m1", 1, 1, 100, 1000, 0, 0, 0),
        (new DateOnly(2030, 5, 2), "", "codex", "", 0, 0, 0, 0, 0, 0, 1),
        (new DateOnly(2030, 5, 2), "legacy-dev", "claude-code", "m1", 1, 1, 200, 0, 0, 0, 0),
    ];

    public static async Task WriteAsync(DevInsightsDbContext db)
    {
        var at = new DateTime(2030, 5, 1, 9, 0, 0, DateTimeKind.Utc);
        var project = new Core.Hierarchy.Project { Key = "legacy", Name = "legacy", FullName = "legacy", CreatedAt = at, LastActivityAt = at };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        var a = Session("legacy-a", project.Id, "legacy-dev", "claude-code", at);
        var b = Session("legacy-b", project.Id, null, "codex", at.AddDays(1).AddHours(-1));
        db.Sessions.AddRange(a, b);
        await db.SaveChangesAsync();
        db.Events.AddRange(
            Event(a, at, "user_prompt"),
            Event(a, at.AddMinutes(1), "api_request", model: "m1", input: 100, output: 50, cacheRead: 1000, cost: 0.25),
            Event(a, at.AddMinutes(2), "tool_result", tool: "Bash", success: true),
            Event(a, at.AddMinutes(3), "tool_result", tool: "Read", success: false),
            Event(a, at.AddDays(1).AddHours(1), "api_request", model: "m1", input: 200, cost: 0.5));
        await db.SaveChangesAsync();
    }

    private static Core.Sessions.Session Session(string id, long projectId, string? developer, string client, DateTime start) => new()
    {
        ClientSessionId = id, ProjectId = projectId, DeveloperId = developer, Client = client,
        StartedAt = start, LastEventAt = start, CreatedAt = start, UpdatedAt = start,
    };

    private static Core.Sessions.AgentEvent Event(Core.Sessions.Session s, DateTime at, string type, string? model = null, string? tool = null,
        bool? success = null, long input = 0, long output = 0, long cacheRead = 0, double? cost = null) => new()
    {
        SessionId = s.Id, ProjectId = s.ProjectId, Timestamp = at, Type = type, Model = model, ToolName = tool, Success = success,
        InputTokens = input, OutputTokens = output, CacheReadTokens = cacheRead, CostUsd = cost, Source = "api", ReceivedAt = at,
    };
}
