using DevInsights.Core.Dashboard;
using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Sessions;
using DevInsights.Web.Components.Pages.Shared;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Dashboard;

/// <summary>A developer the seed created, with the API client of their key.</summary>
public sealed record SeededDeveloper(string Id, string Email, string Name, HttpClient Client);

/// <summary>What <see cref="DashboardData.SeedTeamAsync"/> stored, with the totals the views must show.</summary>
public sealed record SeededTeam(
    IReadOnlyList<SeededDeveloper> Developers,
    IReadOnlyList<(long Id, string Name)> Projects,
    IReadOnlyList<(long Id, string ClientMachineId, string Hostname)> Machines,
    IReadOnlyList<string> Workspaces,
    IReadOnlyList<Session> Sessions,
    IReadOnlyList<AgentEvent> Events,
    DateOnly FirstDay,
    DateOnly LastDay)
{
    /// <summary>The seeded days as the dashboard's custom range.</summary>
    public TimeRange Range => TimeRange.Parse(TimeRange.Custom, TimeRange.Format(FirstDay), TimeRange.Format(LastDay), LastDay);

    /// <summary>The same range as the URL writes it.</summary>
    public string RangeQuery => Range.QueryString;

    /// <summary>The events of the developer's sessions.</summary>
    public IEnumerable<AgentEvent> EventsOf(SeededDeveloper developer)
    {
        var sessions = Sessions.Where(s => s.DeveloperId == developer.Id).Select(s => s.Id).ToHashSet();
        return Events.Where(e => sessions.Contains(e.SessionId));
    }
}

/// <summary>A small team's realistic telemetry, deterministic (fixed seed): developers working in two projects on
/// two machines over several days, Claude Code and Codex sessions with prompts, API requests, tool results.</summary>
/// <remarks>Session, tool and rollup figures are derived from the events exactly as the ingestion writer keeps them,
/// so views can be checked against sums over <see cref="SeededTeam.Events"/>.</remarks>
public static class DashboardData
{
    private static readonly string[] Tools = ["Read", "Edit", "Bash", "Grep", "Write"];

    public static async Task<SeededTeam> SeedTeamAsync(DevInsightsFactory app, DateOnly lastDay, int days = 10, int seed = 7)
    {
        var unique = Guid.NewGuid().ToString("N")[..6];
        var developers = new List<SeededDeveloper>();
        foreach (var (name, optIn) in new[] { ("Ann Lee", true), ("Bob Kim", false), ("Chen Wu", true) })
            developers.Add(await CreateDeveloperAsync(app, $"{name.Split(' ')[0].ToLowerInvariant()}-{unique}@example.test", name, optIn));

        await using var db = await app.DbAsync();
        var now = lastDay.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc);
        var projects = new[] { "api", "web" }.Select(n => new Project
        {
            Key = $"https://github.com/acme/{n}-{unique}", Name = $"acme-{n}-{unique}", FullName = $"acme/{n}-{unique}",
            RepositoryUrl = $"https://github.com/acme/{n}-{unique}", Host = "github.com", Owner = "acme", CreatedAt = now, LastActivityAt = now,
        }).ToList();
        var machines = new[] { ("linux", "ann-laptop"), ("darwin", "bob-mbp") }.Select(m => new Machine
        {
            ClientMachineId = $"{m.Item2}-{unique}", Hostname = $"{m.Item2}-{unique}", Os = m.Item1, OsVersion = m.Item1 == "linux" ? "6.8" : "15.1",
            Arch = "arm64", FirstSeenAt = lastDay.AddDays(1 - days).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), LastSeenAt = now,
        }).ToList();
        db.AddRange(projects);
        db.AddRange(machines);
        await db.SaveChangesAsync();
        var workspaces = new List<Workspace>();
        foreach (var project in projects)
            foreach (var machine in machines)
                workspaces.Add(new Workspace
                {
                    ClientWorkspaceId = $"ws-{project.Name}-{machine.Hostname}", ProjectId = project.Id, MachineId = machine.Id,
                    Path = $"/src/{project.Name}", Branch = machine.Os == "linux" ? "main" : "feature/search", Commit = "3f9c2a1",
                    FirstSeenAt = lastDay.AddDays(1 - days).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), LastSeenAt = now,
                });
        db.AddRange(workspaces);
        await db.SaveChangesAsync();

        var random = new Random(seed);
        var sessions = new List<(Session Session, List<AgentEvent> Events)>();
        var firstDay = lastDay.AddDays(1 - days);
        for (var d = 0; d < days; d++)
        {
            var day = firstDay.AddDays(d);
            for (var i = 0; i < developers.Count; i++)
            {
                var count = random.Next(0, 3);
                for (var n = 0; n < count; n++)
                {
                    var workspace = workspaces[(i + n + d) % workspaces.Count];
                    var codex = random.Next(4) == 0;
                    var start = day.ToDateTime(new TimeOnly(8 + random.Next(9), random.Next(60)), DateTimeKind.Utc);
                    sessions.Add(BuildSession(random, developers[i].Id, workspace, codex, start, $"sess-{unique}-{d}-{i}-{n}"));
                }
            }
        }

        foreach (var (session, _) in sessions) db.Sessions.Add(session);
        await db.SaveChangesAsync();
        foreach (var (session, events) in sessions)
        {
            foreach (var e in events) e.SessionId = session.Id;
            db.Events.AddRange(events);
            db.ToolUsages.AddRange(events.Where(e => e.ToolName is not null && e.Success is not null).GroupBy(e => e.ToolName!)
                .Select(g => new ToolUsage
                {
                    SessionId = session.Id, ToolName = g.Key, Calls = g.Count(),
                    Successes = g.Count(e => e.Success == true), Errors = g.Count(e => e.Success == false),
                }));
        }
        await db.SaveChangesAsync();
        await app.Services.GetRequiredService<DailyUsageRebuilder>().RebuildAsync(firstDay, lastDay);

        return new SeededTeam(developers, projects.Select(p => (p.Id, p.Name)).ToList(),
            machines.Select(m => (m.Id, m.ClientMachineId, m.Hostname!)).ToList(), workspaces.Select(w => w.ClientWorkspaceId).ToList(),
            sessions.Select(s => s.Session).ToList(), sessions.SelectMany(s => s.Events).ToList(), firstDay, lastDay);
    }

    public static async Task<SeededDeveloper> CreateDeveloperAsync(DevInsightsFactory app, string email, string name, bool leaderboardOptIn, string role = Roles.Developer)
    {
        var (client, id, _) = await app.CreateUserClientAsync(role, email);
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByIdAsync(id) ?? throw new InvalidOperationException("The user just created is missing.");
        user.DisplayName = name;
        user.LeaderboardOptIn = leaderboardOptIn;
        await users.UpdateAsync(user);
        return new SeededDeveloper(id, email, name, client);
    }

    private static (Session, List<AgentEvent>) BuildSession(Random random, string developerId, Workspace workspace, bool codex, DateTime start, string id)
    {
        var events = new List<AgentEvent>();
        var t = start;
        var model = codex ? "gpt-5-codex" : random.Next(3) == 0 ? "claude-opus-4-1" : "claude-sonnet-4-5";
        AgentEvent Event(string type) => new()
        {
            Type = type, Timestamp = t, ProjectId = workspace.ProjectId, MachineId = workspace.MachineId, WorkspaceId = workspace.Id,
            Source = codex ? "otlp" : "api", ReceivedAt = t,
        };
        var turns = random.Next(2, 6);
        for (var turn = 0; turn < turns; turn++)
        {
            events.Add(Event("user_prompt"));
            t = t.AddSeconds(random.Next(5, 40));
            var input = random.Next(200, 3000);
            var cacheRead = random.Next(5_000, 40_000);
            var cacheCreation = random.Next(0, 4_000);
            var output = random.Next(100, 1500);
            var request = Event("api_request");
            request.Model = model;
            request.InputTokens = input;
            request.OutputTokens = output;
            request.CacheReadTokens = cacheRead;
            request.CacheCreationTokens = cacheCreation;
            request.CostUsd = Math.Round((input * 3 + output * 15 + cacheRead * 0.3 + cacheCreation * 3.75) / 1_000_000, 6);
            request.DurationMs = random.Next(800, 9000);
            events.Add(request);
            t = t.AddSeconds(random.Next(2, 20));
            var tool = Event("tool_result");
            tool.ToolName = Tools[random.Next(Tools.Length)];
            tool.Success = random.Next(8) != 0;
            tool.DurationMs = random.Next(20, 2000);
            events.Add(tool);
            t = t.AddSeconds(random.Next(2, 30));
        }
        var session = new Session
        {
            ClientSessionId = id, WorkspaceId = workspace.Id, ProjectId = workspace.ProjectId, MachineId = workspace.MachineId,
            DeveloperId = developerId, Client = codex ? ClientKind.Codex : ClientKind.ClaudeCode, Models = model,
            StartedAt = start, LastEventAt = t, EndedAt = t, DurationMs = (long)(t - start).TotalMilliseconds,
            EventCount = events.Count, MessageCount = turns,
            InputTokens = events.Sum(e => e.InputTokens), OutputTokens = events.Sum(e => e.OutputTokens),
            CacheReadTokens = events.Sum(e => e.CacheReadTokens), CacheCreationTokens = events.Sum(e => e.CacheCreationTokens),
            CostUsd = events.Sum(e => e.CostUsd ?? 0), CreatedAt = start, UpdatedAt = t,
        };
        return (session, events);
    }
}
