using System.Net;
using System.Net.Http.Json;
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

public sealed class DailyUsageTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_rebuilt_rollup_equals_the_sums_over_the_raw_events(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
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
    public async Task Ingested_events_keep_the_rollup_equal_to_a_rebuild_from_the_raw_events(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var user = await app.UserAsync();
        // A real Claude Code session (its OTLP records, converted as the OTLP endpoint converts them), through the events API.
        var claude = FixtureFeed.ClaudeEvents(FixtureFeed.ToolScenario, "fixture-" + Guid.NewGuid().ToString("N"));
        await FixtureFeed.PostAsync(user.Client, claude);
        // A second session over two days and two models, sent in two batches, the second repeating one event (a retry).
        var codex = "codex-" + Guid.NewGuid().ToString("N");
        var day = new DateTime(2029, 7, 1, 23, 59, 0, DateTimeKind.Utc);
        Core.Ingestion.IngestEvent Event(string id, DateTime at, string type, string? model = null, string? tool = null, bool? success = null,
            long input = 0, double? cost = null) => new()
        {
            ClientSessionId = codex, ClientEventId = id, Timestamp = at, Type = type, Model = model, ToolName = tool, Success = success,
            InputTokens = input, CostUsd = cost,
        };
        var first = new[]
        {
            Event("c1", day, "user_prompt"),
            Event("c2", day.AddSeconds(30), "api_request", "gpt-5-codex", input: 1000, cost: 0.01),
            Event("c3", day.AddSeconds(50), "tool_result", tool: "shell", success: false),
        };
        var second = new[]
        {
            first[2],
            Event("c4", day.AddMinutes(2), "api_request", "gpt-5", input: 500, cost: 0.02),
            Event("c5", day.AddMinutes(3), "tool_result", tool: "shell", success: true),
        };
        await FixtureFeed.PostAsync(user.Client, first, "codex");
        using (var retry = await user.Client.PostAsJsonAsync("/api/v1/events", second.Select(e => FixtureFeed.Item(e, "codex"))))
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);

        var incremental = await RowsOf(app, user.Id);
        var days = incremental.Select(r => r.Day).Distinct().Order().ToList();
        Assert.Equal([DateOnly.FromDateTime(claude[0].Timestamp), new DateOnly(2029, 7, 1), new DateOnly(2029, 7, 2)], days.Order());
        var fixtureRows = incremental.Where(r => r.Client == "claude-code").ToList();
        Assert.Equal(claude.Sum(e => e.InputTokens + e.OutputTokens + e.CacheReadTokens + e.CacheCreationTokens),
            fixtureRows.Sum(r => r.InputTokens + r.OutputTokens + r.CacheReadTokens + r.CacheCreationTokens));
        Assert.Equal(claude.Sum(e => e.CostUsd ?? 0), fixtureRows.Sum(r => r.CostUsd), 9);
        Assert.Equal(claude.Count(e => e.ToolName is not null && e.Success is not null), fixtureRows.Sum(r => r.ToolCalls));
        Assert.Equal(5, incremental.Where(r => r.Client == "codex").Sum(r => r.Events));
        Assert.Equal(1, incremental.Where(r => r.Client == "codex").Sum(r => r.ToolErrors));
        Assert.Equal(2, incremental.Sum(r => r.SessionsStarted));

        foreach (var d in days) await app.Services.GetRequiredService<DailyUsageRebuilder>().RebuildAsync(d, d);
        Assert.Equal(incremental.Select(Comparable), (await RowsOf(app, user.Id)).Select(Comparable));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Rebuilding_a_day_replaces_that_day_only(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
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

        Assert.Equal(1, await migrator.MigrateAsync(targetVersion: 6));
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

    private static async Task<List<DailyUsage>> RowsOf(DevInsightsFactory app, string developerId)
    {
        await using var db = await app.DbAsync();
        var rows = await db.DailyUsage.AsNoTracking().Where(d => d.DeveloperId == developerId).ToListAsync();
        return [.. rows.OrderBy(r => r.Day).ThenBy(r => r.ProjectId).ThenBy(r => r.Client, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)];
    }

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
