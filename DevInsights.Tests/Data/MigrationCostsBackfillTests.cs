using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Data.Migrations;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Pricing;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DevInsights.Tests.Data;

/// <summary>Migration 0007 fills <c>daily_costs</c> from the events a version-6 database already holds.</summary>
public sealed class MigrationCostsBackfillTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Migration_0007_rolls_up_the_costs_and_unpriced_usage_of_the_events_already_stored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        // A session time zone far from UTC: the day of an event is its UTC day, whatever the server's or the session's zone.
        var settings = database.Settings().ToDictionary(s => s.Key, s => s.Value);
        if (provider == DatabaseProvider.Postgres) settings["ConnectionStrings:DevInsights"] += ";Timezone=Pacific/Kiritimati";
        var connections = new DatabaseConnections(
            Options.Create(new DevInsightsOptions { DataDirectory = database.DataDirectory, Database = { Provider = provider } }),
            new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var migrator = new SchemaMigrator(connections, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(targetVersion: 6);
        var builder = new DbContextOptionsBuilder<DevInsightsDbContext>();
        connections.Configure(builder);

        // Written the way version 6 wrote them: events without the cost columns 0007 adds (Version5DbContext leaves them out).
        await using (var db = new Version5DbContext(builder.Options))
            await WriteAsync(db);

        Assert.Equal(1, await migrator.MigrateAsync(targetVersion: 7));

        await using (var db = new DevInsightsDbContext(builder.Options))
        {
            var events = await db.Events.AsNoTracking().Join(db.Sessions.AsNoTracking(), e => e.SessionId, s => s.Id, (e, s) => new { e, s })
                .ToListAsync();
            // What the events hold, computed here: each event with a cost or tokens, by UTC day, project, developer, client and model.
            var expected = events
                .Select(x => (x.e, x.s, Tokens: x.e.InputTokens + x.e.OutputTokens + x.e.CacheReadTokens + x.e.CacheCreationTokens))
                .Where(x => x.e.CostUsd is not null || x.Tokens > 0)
                .GroupBy(x => (Day: DateOnly.FromDateTime(x.e.Timestamp.ToUniversalTime()), x.e.ProjectId, Dev: x.s.DeveloperId ?? "", x.s.Client, Model: x.e.Model ?? ""))
                .Select(g => (g.Key.Day, g.Key.ProjectId, g.Key.Dev, g.Key.Client, g.Key.Model, Math.Round(g.Sum(x => x.e.CostUsd ?? 0), 9),
                    g.LongCount(x => x.Tokens > 0), g.Sum(x => x.Tokens)))
                .OrderBy(r => r.Day).ThenBy(r => r.Client, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)
                .ToList();
            var rows = await db.Set<DailyCost>().AsNoTracking().ToListAsync();
            var actual = rows.OrderBy(r => r.Day).ThenBy(r => r.Client, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)
                .Select(r => (r.Day, r.ProjectId, r.DeveloperId, r.Client, r.Model, Math.Round(r.ClientCostUsd, 9), r.UnpricedEvents, r.UnpricedTokens))
                .ToList();
            Assert.Equal(expected, actual);
            // Nothing was priced before 0007: no computed cost, every event with tokens is unpriced (never $0).
            Assert.All(rows, r => Assert.Equal((0.0, 0L), (r.ComputedCostUsd, r.PricedEvents)));

            // The figures, spelled out: Claude Code's own costs by day, Codex's tokens unpriced, the 23:59 event on its UTC day.
            var day1 = new DateOnly(2030, 6, 3);
            Assert.Equal(0.375, rows.Where(r => r.Client == "claude-code" && r.Day == day1).Sum(r => r.ClientCostUsd), 9);
            Assert.Equal(0.125, rows.Where(r => r.Client == "claude-code" && r.Day == day1.AddDays(1)).Sum(r => r.ClientCostUsd), 9);
            var codex = rows.Where(r => r.Client == "codex").OrderBy(r => r.Day).ToList();
            Assert.Equal(new[] { (day1, "gpt-5.5", 2L, 4_700L), (day1, "", 1L, 10L) },
                codex.Select(r => (r.Day, r.Model, r.UnpricedEvents, r.UnpricedTokens)).OrderByDescending(r => r.Model, StringComparer.Ordinal));
            Assert.Equal(7, rows.Sum(r => r.UnpricedEvents));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private static async Task WriteAsync(DevInsightsDbContext db)
    {
        var at = new DateTime(2030, 6, 3, 9, 0, 0, DateTimeKind.Utc);
        var project = new Project { Key = "costs-backfill", Name = "costs-backfill", FullName = "costs-backfill", CreatedAt = at, LastActivityAt = at };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        var claude = Session("backfill-claude", project.Id, "backfill-dev", "claude-code", at);
        var codex = Session("backfill-codex", project.Id, null, "codex", at);
        db.Sessions.AddRange(claude, codex);
        await db.SaveChangesAsync();
        db.Events.AddRange(
            Event(claude, at, "user_prompt"),
            Event(claude, at.AddMinutes(1), "api_request", "claude-sonnet-4-5-20250929", input: 1_000, output: 200, cacheRead: 5_000, cacheWrite: 300, cost: 0.25),
            Event(claude, at.AddMinutes(2), "api_request", "claude-haiku-4-5", input: 50, output: 5, cost: 0.125),
            Event(claude, new DateTime(2030, 6, 3, 23, 59, 30, DateTimeKind.Utc), "api_request", "claude-sonnet-4-5-20250929", input: 10, cost: 0),
            Event(claude, at.AddDays(1), "api_request", "claude-sonnet-4-5-20250929", input: 400, output: 40, cost: 0.125),
            Event(claude, at.AddDays(1).AddMinutes(1), "tool_result"),
            Event(codex, at.AddMinutes(5), "api_request", "gpt-5.5", input: 1_200, output: 300, cacheRead: 2_000),
            Event(codex, at.AddMinutes(6), "api_request", "gpt-5.5", input: 1_000, output: 200),
            Event(codex, at.AddMinutes(7), "sse_event", input: 10));
        await db.SaveChangesAsync();
    }

    private static Session Session(string id, long projectId, string? developer, string client, DateTime start) => new()
    {
        ClientSessionId = id, ProjectId = projectId, DeveloperId = developer, Client = client,
        StartedAt = start, LastEventAt = start, CreatedAt = start, UpdatedAt = start,
    };

    private static AgentEvent Event(Session s, DateTime at, string type, string? model = null, long input = 0, long output = 0,
        long cacheRead = 0, long cacheWrite = 0, double? cost = null) => new()
    {
        SessionId = s.Id, ProjectId = s.ProjectId, Timestamp = at, Type = type, Model = model, InputTokens = input, OutputTokens = output,
        CacheReadTokens = cacheRead, CacheCreationTokens = cacheWrite, CostUsd = cost, Source = "api", ReceivedAt = at,
    };
}
