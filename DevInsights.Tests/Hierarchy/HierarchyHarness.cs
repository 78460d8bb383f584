using System.Collections.Concurrent;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Bench.Hierarchy;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Hierarchy;

/// <summary>A migrated database of one provider and a <see cref="HierarchyService"/> over it whose database
/// commands are counted and whose clock the test moves.</summary>
public sealed class HierarchyHarness : IAsyncDisposable
{
    private HierarchyHarness(DevInsightsFactory factory)
    {
        Factory = factory;
        var options = new DbContextOptionsBuilder<DevInsightsDbContext>();
        factory.Services.GetRequiredService<DatabaseConnections>().Configure(options);
        options.AddInterceptors(Commands);
        Db = new OptionsDbContextFactory(options.Options);
        Service = new HierarchyService(Db, Clock);
    }

    public DevInsightsFactory Factory { get; }
    public CommandCounter Commands { get; } = new();
    public ManualClock Clock { get; } = new(new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero));
    public IDbContextFactory<DevInsightsDbContext> Db { get; }
    public HierarchyService Service { get; }

    /// <summary>A fresh client id, so each test owns its rows in a database the class shares.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static async Task<HierarchyHarness> CreateAsync(DatabaseProvider provider) =>
        new(await DevInsightsFactory.CreateAsync(provider));

    /// <summary>A session with <paramref name="events"/> real event rows, one per second from
    /// <paramref name="startedAt"/>, and the counters the ingestion writer would keep in step with them.</summary>
    public async Task<Session> AddSessionAsync(long projectId, long? workspaceId, long? machineId, DateTime startedAt, int events,
        string? developerId = null, double costPerEvent = 0.01)
    {
        var session = new Session
        {
            ClientSessionId = "s-" + Guid.NewGuid().ToString("N"),
            ProjectId = projectId,
            WorkspaceId = workspaceId,
            MachineId = machineId,
            DeveloperId = developerId,
            Client = ClientKind.ClaudeCode,
            StartedAt = startedAt,
            LastEventAt = events > 0 ? startedAt.AddSeconds(events - 1) : startedAt,
            EventCount = events,
            InputTokens = 100L * events,
            OutputTokens = 10L * events,
            CostUsd = costPerEvent * events,
            CreatedAt = startedAt,
            UpdatedAt = startedAt,
        };
        await using var db = await Db.CreateDbContextAsync();
        db.Sessions.Add(session);
        await db.SaveChangesAsync();
        db.Events.AddRange(Enumerable.Range(0, events).Select(i => new AgentEvent
        {
            SessionId = session.Id,
            ProjectId = projectId,
            MachineId = machineId,
            WorkspaceId = workspaceId,
            Timestamp = startedAt.AddSeconds(i),
            Type = i % 2 == 0 ? "api_request" : "tool_result",
            ToolName = i % 2 == 0 ? null : "Bash",
            Model = "claude-sonnet-4",
            InputTokens = 100,
            OutputTokens = 10,
            CostUsd = costPerEvent,
            Source = "api",
            ClientEventId = $"e{i}",
            AttributesJson = $$"""{"n":{{i}}}""",
            ReceivedAt = startedAt.AddSeconds(i),
        }));
        await db.SaveChangesAsync();
        return session;
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();

    private sealed class OptionsDbContextFactory(DbContextOptions<DevInsightsDbContext> options) : IDbContextFactory<DevInsightsDbContext>
    {
        public DevInsightsDbContext CreateDbContext() => new(options);
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public DateTimeOffset Now => _now;

    public void Advance(TimeSpan by) => _now += by;

    public override DateTimeOffset GetUtcNow() => _now;
}

/// <summary>One harness per provider for a whole test class; each test still creates its own rows (unique ids).</summary>
public sealed class HierarchyFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<DatabaseProvider, Lazy<Task<HierarchyHarness>>> _harnesses = new();

    public Task<HierarchyHarness> GetAsync(DatabaseProvider provider) =>
        _harnesses.GetOrAdd(provider, p => new Lazy<Task<HierarchyHarness>>(() => HierarchyHarness.CreateAsync(p))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var harness in _harnesses.Values.Where(h => h.IsValueCreated))
            await (await harness.Value).DisposeAsync();
    }
}
