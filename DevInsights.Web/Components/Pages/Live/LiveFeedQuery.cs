using DevInsights.Core.Data;
using DevInsights.Core.Sessions;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Web.Components.Pages.Live;

/// <summary>The live feed's filters, as the URL carries them (client ids for machine and workspace).</summary>
public sealed record LiveFilter(long? ProjectId = null, string? Machine = null, string? Workspace = null, string? Developer = null, string? Type = null);

/// <summary>One line of the live feed.</summary>
public sealed record LiveEvent(
    long Id, DateTime Timestamp, string Type, string? ToolName, string? Model, long Tokens, double? CostUsd, bool? Success,
    string SessionId, string ProjectName, long ProjectId, string? Hostname, string? Developer);

/// <summary>Reads the newest events for the live feed: by id (the order of arrival), joined to their session,
/// project, machine and developer, limited to what the caller may see.</summary>
public sealed class LiveFeedQuery(IDbContextFactory<DevInsightsDbContext> dbFactory)
{
    /// <summary>The feed keeps this many lines in memory; older ones scroll away.</summary>
    public const int Capacity = 500;

    /// <summary>Event types the filter offers; the feed shows any type.</summary>
    public static readonly IReadOnlyList<string> KnownTypes =
        ["user_prompt", "api_request", "api_attempt", "api_error", "assistant_response", "tool_decision", "tool_result"];

    /// <summary>Up to <paramref name="limit"/> events stored after <paramref name="afterId"/>, newest first.</summary>
    public async Task<IReadOnlyList<LiveEvent>> NewestAsync(SessionCaller caller, LiveFilter filter, long afterId, int limit, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = db.Events.AsNoTracking().Where(e => e.Id > afterId);
        if (filter.ProjectId is { } projectId) events = events.Where(e => e.ProjectId == projectId);
        if (filter.Type is { } type) events = events.Where(e => e.Type == type);
        if (filter.Machine is { } machine)
            events = events.Where(e => db.Machines.Any(m => m.Id == e.MachineId && m.ClientMachineId == machine));
        if (filter.Workspace is { } workspace)
            events = events.Where(e => db.Workspaces.Any(w => w.Id == e.WorkspaceId && w.ClientWorkspaceId == workspace));
        // A developer's feed is their own sessions; leads and admins see everyone's as SessionCaller allows (and may
        // narrow to one developer).
        var sessions = caller.Visible(db.Sessions.AsNoTracking(), db.Users);
        if (caller.SeesEveryone && filter.Developer is { } developer) sessions = sessions.Where(s => s.DeveloperId == developer);

        return await (
            from e in events.OrderByDescending(e => e.Id)
            join s in sessions on e.SessionId equals s.Id
            join p in db.Projects on e.ProjectId equals p.Id
            join m0 in db.Machines on e.MachineId equals (long?)m0.Id into ms
            from m in ms.DefaultIfEmpty()
            join u0 in db.Users on s.DeveloperId equals u0.Id into us
            from u in us.DefaultIfEmpty()
            orderby e.Id descending
            select new LiveEvent(e.Id, e.Timestamp, e.Type, e.ToolName, e.Model,
                e.InputTokens + e.OutputTokens + e.CacheReadTokens + e.CacheCreationTokens, e.CostUsd, e.Success,
                s.ClientSessionId, p.Name, p.Id, m == null ? null : m.Hostname, u == null ? null : u.DisplayName ?? u.Email))
            .Take(limit).ToListAsync(ct);
    }

    /// <summary>Machines and workspaces for the filters.</summary>
    public async Task<(IReadOnlyList<Shared.Option<string>> Machines, IReadOnlyList<Shared.Option<string>> Workspaces)> PlacesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var machines = await db.Machines.AsNoTracking().OrderBy(m => m.Hostname ?? m.ClientMachineId)
            .Select(m => new Shared.Option<string>(m.ClientMachineId, m.Hostname ?? m.ClientMachineId)).ToListAsync(ct);
        var workspaces = await db.Workspaces.AsNoTracking().OrderBy(w => w.Path ?? w.ClientWorkspaceId)
            .Select(w => new Shared.Option<string>(w.ClientWorkspaceId, w.Path ?? w.ClientWorkspaceId)).ToListAsync(ct);
        return (machines, workspaces);
    }
}
