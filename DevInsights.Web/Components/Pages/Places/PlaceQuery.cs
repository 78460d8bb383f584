using DevInsights.Core.Hierarchy;
using DevInsights.Core.Sessions;
using DevInsights.Web.Components.Pages.Shared;
using DevInsights.Web.Security;

namespace DevInsights.Web.Components.Pages.Places;

public sealed record MachineModel(MachineDetails Details, SessionPage Sessions);

/// <param name="LastTelemetryAt">The latest event of any of its sessions, else when the workspace was last reported.</param>
public sealed record WorkspaceModel(WorkspaceContext Context, DateTime LastTelemetryAt, SessionPage Sessions);

/// <summary>Machines and workspaces: where they are and what they run (hierarchy service), and their sessions in the
/// range as the caller may see them (session service, so a developer sees only their own).</summary>
public sealed class PlaceQuery(HierarchyService hierarchy, SessionService sessions)
{
    public const int SessionCount = 25;

    public async Task<MachineModel?> MachineAsync(CurrentUser user, string clientMachineId, TimeRange range, CancellationToken ct = default)
    {
        var details = await hierarchy.GetMachineAsync(clientMachineId, ct);
        if (details is null) return null;
        return new MachineModel(details, await SessionsAsync(user, range, new SessionQuery(Machine: clientMachineId), ct));
    }

    public async Task<WorkspaceModel?> WorkspaceAsync(CurrentUser user, string clientWorkspaceId, TimeRange range, CancellationToken ct = default)
    {
        var context = await hierarchy.GetWorkspaceContextAsync(clientWorkspaceId, ct);
        if (context is null) return null;
        var last = context.RecentSessions.Select(s => s.LastEventAt).Append(context.Workspace.LastSeenAt).Max();
        return new WorkspaceModel(context, last, await SessionsAsync(user, range, new SessionQuery(Workspace: clientWorkspaceId), ct));
    }

    private async Task<SessionPage> SessionsAsync(CurrentUser user, TimeRange range, SessionQuery query, CancellationToken ct)
    {
        var result = await sessions.ListAsync(SessionCaller.For(user.Id, user.Roles),
            query with { From = range.Start, To = range.End.AddTicks(-1), PageSize = SessionCount }, ct);
        return result.Value ?? new SessionPage([], 0, 1, SessionCount);
    }
}
