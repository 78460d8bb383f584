using DevInsights.Core.Identity;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Hierarchy;

// The project's event timeline: keyset pages over the (project_id, timestamp) index, newest first.
public sealed partial class HierarchyService
{
    /// <summary>Team leads and admins see other developers' events (leads not those of developers whose share
    /// level is None, see <see cref="Sessions.SessionCaller"/>); a developer sees the events of their own sessions only.</summary>
    public static bool SeesAllEvents(IReadOnlyCollection<string> callerRoles) =>
        callerRoles.Contains(Roles.Admin) || callerRoles.Contains(Roles.TeamLead);

    /// <summary>One page of a project's events ordered by (timestamp, id) descending, as the caller may see them;
    /// null when the project does not exist. An unknown machine or workspace filter matches nothing.</summary>
    /// <remarks>Keyset pagination: the cursor is the last row's (timestamp, id), so a page costs the same at any
    /// depth, and rows inserted meanwhile neither shift nor repeat earlier pages.</remarks>
    /// <exception cref="HierarchyValidationException">The query breaks <see cref="HierarchyValidation"/>.</exception>
    public async Task<EventPage?> GetProjectEventsAsync(EventQuery query, string callerId, IReadOnlyCollection<string> callerRoles,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        HierarchyValidation.ThrowIfAny(HierarchyValidation.Validate(query));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Projects.AnyAsync(p => p.Id == query.ProjectId, ct)) return null;

        var events = db.Events.AsNoTracking().Where(e => e.ProjectId == query.ProjectId);
        if (query.ClientMachineId is not null)
        {
            var machineId = await db.Machines.Where(m => m.ClientMachineId == query.ClientMachineId)
                .Select(m => (long?)m.Id).FirstOrDefaultAsync(ct);
            if (machineId is null) return new EventPage([], null);
            events = events.Where(e => e.MachineId == machineId);
        }
        if (query.ClientWorkspaceId is not null)
        {
            var workspaceId = await db.Workspaces.Where(w => w.ClientWorkspaceId == query.ClientWorkspaceId)
                .Select(w => (long?)w.Id).FirstOrDefaultAsync(ct);
            if (workspaceId is null) return new EventPage([], null);
            events = events.Where(e => e.WorkspaceId == workspaceId);
        }
        if (query.Type is { } type) events = events.Where(e => e.Type == type);
        if (query.From is { } from) events = events.Where(e => e.Timestamp >= from);
        if (query.To is { } to) events = events.Where(e => e.Timestamp < to);
        if (EventCursor.TryDecode(query.Cursor, out var after))
            events = events.Where(e => e.Timestamp < after.Timestamp || (e.Timestamp == after.Timestamp && e.Id < after.Id));

        // The session access rule (SessionCaller): leads see no events of developers sharing nothing.
        var sessions = Sessions.SessionCaller.For(callerId, callerRoles.ToHashSet(StringComparer.Ordinal)).Visible(db.Sessions, db.Users);

        var rows = await (
                from e in events
                join s in sessions on e.SessionId equals s.Id
                from m in db.Machines.Where(m => m.Id == e.MachineId).DefaultIfEmpty()
                from w in db.Workspaces.Where(w => w.Id == e.WorkspaceId).DefaultIfEmpty()
                orderby e.Timestamp descending, e.Id descending
                select new
                {
                    e.Id, e.Timestamp, e.Type, e.ToolName, e.Model, e.InputTokens, e.OutputTokens, e.CacheReadTokens,
                    e.CacheCreationTokens, e.CostUsd, e.DurationMs, e.Success, e.Source, e.AttributesJson,
                    s.ClientSessionId,
                    ClientMachineId = m != null ? m.ClientMachineId : null,
                    ClientWorkspaceId = w != null ? w.ClientWorkspaceId : null,
                })
            .Take(query.Limit + 1) // one more than asked says whether another page exists
            .ToListAsync(ct);

        var items = rows.Take(query.Limit)
            .Select(r => new EventItem(r.Id, r.Timestamp, r.Type, r.ToolName, r.Model, r.InputTokens, r.OutputTokens,
                r.CacheReadTokens, r.CacheCreationTokens, r.CostUsd, r.DurationMs, r.Success, r.Source, r.ClientSessionId,
                r.ClientMachineId, r.ClientWorkspaceId, ParseJson(r.AttributesJson)))
            .ToList();
        var next = rows.Count > query.Limit ? new EventCursor(items[^1].Timestamp, items[^1].Id).Encode() : null;
        return new EventPage(items, next);
    }
}
