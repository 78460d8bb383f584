using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Ingestion;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Otlp.Attribution;

/// <summary>Where the sessions of one export go.</summary>
/// <param name="Contexts">Every session's context for the writer: as attributed for new sessions; for existing ones
/// their own (the developer stays the session's owner, so the writer never refuses an export).</param>
/// <param name="Existing">Sessions that already exist, by client session id (after any move).</param>
/// <param name="Moved">Sessions moved out of Unassigned (or given a machine or workspace) by this export.</param>
public sealed record OtlpPlacement(
    IReadOnlyDictionary<string, SessionContext> Contexts, IReadOnlyDictionary<string, SessionRef> Existing, IReadOnlyList<SessionRef> Moved);

/// <summary>Places sessions: new ones where their attribution says; existing ones stay where they are, except that a
/// session first seen without attribution (in Unassigned, or without machine or workspace) moves — with its events —
/// once later telemetry attributes it (say <c>devinsights.project</c> appears). Sessions never move between two real
/// projects: telemetry that disagrees with itself must not make a session flap.</summary>
public sealed class OtlpSessionPlacer(
    IngestionSessionCache sessions, IngestionWriter writer, UnassignedProject unassigned,
    IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    /// <param name="wanted">Client session id → the session's client and attribution.</param>
    public async Task<OtlpPlacement> PlaceAsync(IReadOnlyDictionary<string, (string Client, OtlpAttribution Attribution)> wanted, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var existing = await FindAsync(wanted.Keys, ct);
        var contexts = new Dictionary<string, SessionContext>(StringComparer.Ordinal);
        List<SessionRef>? moved = null;
        var unassignedId = existing.Count == 0 ? 0 : await unassigned.GetIdAsync(ct);
        foreach (var (id, (client, a)) in wanted)
        {
            if (!existing.TryGetValue(id, out var current))
            {
                contexts[id] = new SessionContext(client, a.DeveloperId, a.ProjectId, a.MachineId, a.WorkspaceId);
                continue;
            }

            var target = Target(current, a, unassignedId);
            if (target != current)
            {
                await MoveAsync(target, ct);
                writer.ForgetSession(id);
                (moved ??= []).Add(target);
                existing[id] = target;
            }

            contexts[id] = new SessionContext(client, target.DeveloperId, target.ProjectId, target.MachineId, target.WorkspaceId);
        }

        return new OtlpPlacement(contexts, existing, moved ?? []);
    }

    /// <summary>After the export's events were committed: events of moved sessions that a concurrent request wrote
    /// with the old ids (from the writer's cache, before it forgot the session) get the new ones too. Every batch
    /// queued before ours was committed before ours, so none can come later.</summary>
    public async Task SettleAsync(OtlpPlacement placement, CancellationToken ct)
    {
        if (placement.Moved.Count == 0) return;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var s in placement.Moved)
        {
            await db.Events.Where(e => e.SessionId == s.Id && (e.ProjectId != s.ProjectId || e.MachineId != s.MachineId || e.WorkspaceId != s.WorkspaceId))
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.ProjectId, s.ProjectId).SetProperty(e => e.MachineId, s.MachineId)
                    .SetProperty(e => e.WorkspaceId, s.WorkspaceId), ct);
        }
    }

    private static SessionRef Target(SessionRef current, OtlpAttribution a, long unassignedId)
    {
        var leavesUnassigned = current.ProjectId == unassignedId && !a.IsUnassigned && a.ProjectId != current.ProjectId;
        var projectId = leavesUnassigned ? a.ProjectId : current.ProjectId;
        // A workspace belongs to one project: take the attributed one only where the session's project is its project.
        var workspaceId = leavesUnassigned ? a.WorkspaceId : current.WorkspaceId ?? (projectId == a.ProjectId ? a.WorkspaceId : null);
        return current with { ProjectId = projectId, MachineId = current.MachineId ?? a.MachineId, WorkspaceId = workspaceId };
    }

    private async Task MoveAsync(SessionRef s, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Sessions.Where(x => x.Id == s.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.ProjectId, s.ProjectId).SetProperty(x => x.MachineId, s.MachineId)
                .SetProperty(x => x.WorkspaceId, s.WorkspaceId).SetProperty(x => x.UpdatedAt, now), ct);
        await db.Events.Where(e => e.SessionId == s.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.ProjectId, s.ProjectId).SetProperty(e => e.MachineId, s.MachineId)
                .SetProperty(e => e.WorkspaceId, s.WorkspaceId), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Sessions that exist: from the writer's cache, the rest in one query.</summary>
    private async Task<Dictionary<string, SessionRef>> FindAsync(IEnumerable<string> clientSessionIds, CancellationToken ct)
    {
        var found = new Dictionary<string, SessionRef>(StringComparer.Ordinal);
        List<string>? unknown = null;
        foreach (var id in clientSessionIds)
        {
            if (sessions.TryGet(id, out var cached)) found[id] = cached;
            else (unknown ??= []).Add(id);
        }

        if (unknown is null) return found;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Sessions.AsNoTracking().Where(s => unknown.Contains(s.ClientSessionId))
            .Select(s => new { s.ClientSessionId, s.Id, s.ProjectId, s.MachineId, s.WorkspaceId, s.DeveloperId, s.Client })
            .ToListAsync(ct);
        foreach (var s in rows) found[s.ClientSessionId] = new SessionRef(s.Id, s.ProjectId, s.MachineId, s.WorkspaceId, s.DeveloperId, s.Client);
        return found;
    }
}
