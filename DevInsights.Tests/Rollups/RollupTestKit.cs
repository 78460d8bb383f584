using DevInsights.Core.Jobs;
using DevInsights.Core.Rollups;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Rollups;

/// <summary>The figures of one bucket, as a value: what the rollup holds and what the raw rows say must match.</summary>
public sealed record BucketFigures(
    string Grain, DateTime Bucket, long ProjectId, long MachineId, long WorkspaceId, string DeveloperId, string Client, string Model,
    long Events, long ApiRequests, long Input, long Output, long CacheRead, long CacheCreation, decimal CostUsd, long DurationMs,
    long ToolCalls, long ToolSuccesses, long ToolErrors);

public static class RollupTestKit
{
    /// <summary>Runs a job the way the scheduler does: resolved from a fresh scope, with a manual context.</summary>
    public static async Task<JobOutcome> RunJobAsync<TJob>(DevInsightsFactory app) where TJob : IDevInsightsJob
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<TJob>().RunAsync(JobRunContext.Manual(), CancellationToken.None);
    }

    /// <summary>The event figures of every bucket of <paramref name="projects"/> as the rollups job stored them.</summary>
    public static async Task<List<BucketFigures>> StoredAsync(DevInsightsFactory app, IReadOnlyCollection<long> projects, string grain)
    {
        await using var db = await app.DbAsync();
        var rows = await db.UsageRollups.AsNoTracking().Where(u => u.Grain == grain && projects.Contains(u.ProjectId) && u.Events > 0).ToListAsync();
        return Sorted(rows.Select(u => new BucketFigures(u.Grain, u.Bucket, u.ProjectId, u.MachineId, u.WorkspaceId, u.DeveloperId, u.Client, u.Model,
            u.Events, u.ApiRequests, u.InputTokens, u.OutputTokens, u.CacheReadTokens, u.CacheCreationTokens, Round(u.CostUsd), u.DurationMs,
            u.ToolCalls, u.ToolSuccesses, u.ToolErrors)));
    }

    /// <summary>The same figures computed in memory from the raw events and sessions, independently of any SQL.</summary>
    public static async Task<List<BucketFigures>> ExpectedAsync(DevInsightsFactory app, IReadOnlyCollection<long> projects, string grain)
    {
        await using var db = await app.DbAsync();
        var events = await db.Events.AsNoTracking().Where(e => projects.Contains(e.ProjectId)).ToListAsync();
        var sessions = await db.Sessions.AsNoTracking().Where(s => projects.Contains(s.ProjectId)).ToDictionaryAsync(s => s.Id);
        return Sorted(events.GroupBy(e => (Bucket: BucketOf(grain, e.Timestamp), e.ProjectId, Machine: e.MachineId ?? 0, Workspace: e.WorkspaceId ?? 0,
                Developer: sessions[e.SessionId].DeveloperId ?? "", sessions[e.SessionId].Client, Model: e.Model ?? ""))
            .Select(g => new BucketFigures(grain, g.Key.Bucket, g.Key.ProjectId, g.Key.Machine, g.Key.Workspace, g.Key.Developer, g.Key.Client, g.Key.Model,
                g.Count(), g.Count(e => e.Type == "api_request"), g.Sum(e => e.InputTokens), g.Sum(e => e.OutputTokens), g.Sum(e => e.CacheReadTokens),
                g.Sum(e => e.CacheCreationTokens), Round(g.Sum(e => e.CostUsd ?? 0)), g.Sum(e => e.DurationMs ?? 0),
                g.Count(e => e.ToolName != null && e.Success != null), g.Count(e => e.ToolName != null && e.Success == true),
                g.Count(e => e.ToolName != null && e.Success == false))));
    }

    /// <summary>Tool calls per (bucket, tool) of the projects, stored and expected.</summary>
    public static async Task<(List<(DateTime, string, long, long, long)> Stored, List<(DateTime, string, long, long, long)> Expected)> ToolsAsync(
        DevInsightsFactory app, IReadOnlyCollection<long> projects, string grain)
    {
        await using var db = await app.DbAsync();
        var stored = (await db.ToolRollups.AsNoTracking().Where(t => t.Grain == grain && projects.Contains(t.ProjectId)).ToListAsync())
            .GroupBy(t => (t.Bucket, t.ToolName)).Select(g => (g.Key.Bucket, g.Key.ToolName, g.Sum(t => t.Calls), g.Sum(t => t.Successes), g.Sum(t => t.Errors)))
            .OrderBy(t => t.Bucket).ThenBy(t => t.ToolName, StringComparer.Ordinal).ToList();
        var events = await db.Events.AsNoTracking().Where(e => projects.Contains(e.ProjectId) && e.ToolName != null && e.Success != null).ToListAsync();
        var expected = events.GroupBy(e => (Bucket: BucketOf(grain, e.Timestamp), e.ToolName))
            .Select(g => (g.Key.Bucket, g.Key.ToolName!, (long)g.Count(), (long)g.Count(e => e.Success == true), (long)g.Count(e => e.Success == false)))
            .OrderBy(t => t.Bucket).ThenBy(t => t.Item2, StringComparer.Ordinal).ToList();
        return (stored, expected);
    }

    public static DateTime BucketOf(string grain, DateTime t) => grain == RollupGrain.Hour
        ? new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc)
        : new DateTime(t.Year, t.Month, t.Day, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Sums of doubles differ in the last bits with the order of addition.</summary>
    public static decimal Round(double value) => Math.Round((decimal)value, 9);

    private static List<BucketFigures> Sorted(IEnumerable<BucketFigures> rows) =>
        [.. rows.OrderBy(r => r.Bucket).ThenBy(r => r.ProjectId).ThenBy(r => r.MachineId).ThenBy(r => r.WorkspaceId)
            .ThenBy(r => r.DeveloperId, StringComparer.Ordinal).ThenBy(r => r.Client, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)];

    public static IngestEventBuilder Events(string sessionId) => new(sessionId);
}

/// <summary>Hand-made events of one session for late-arrival scenarios.</summary>
public sealed class IngestEventBuilder(string sessionId)
{
    public Core.Ingestion.IngestEvent At(DateTime at, string type, string? model = null, string? tool = null, bool? success = null, long input = 0,
        double? cost = null, long? durationMs = null) => new()
    {
        ClientSessionId = sessionId, ClientEventId = Guid.NewGuid().ToString("N"), Timestamp = at, Type = type, Model = model,
        ToolName = tool, Success = success, InputTokens = input, CostUsd = cost, DurationMs = durationMs,
    };
}
