using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Ingestion;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Otlp.Attribution;

/// <summary>Where the sessions of one export go.</summary>
/// <param name="Contexts">Every session's context for the writer and the metrics store: as attributed, used when the
/// session is created; an existing session keeps its developer (<see cref="SessionContext.AdoptExisting"/>).</param>
/// <param name="Existing">Sessions that already exist, by client session id (after any move).</param>
public sealed record OtlpPlacement(IReadOnlyDictionary<string, SessionContext> Contexts, IReadOnlyDictionary<string, SessionRef> Existing);

/// <summary>Places sessions: new ones where their attribution says; existing ones stay where they are, except that a
/// session first seen without attribution (in Unassigned, or without machine or workspace) moves — with its events —
/// once later telemetry attributes it (say <c>devinsights.project</c> appears). Sessions never move between two real
/// projects: telemetry that disagrees with itself must not make a session flap.</summary>
/// <remarks>Log exports are placed after their events were committed (<see cref="SettleAsync"/>): the writer's cache
/// then knows the session, so the hot path needs no look-up of its own, even for a new session. A move
/// (<see cref="SessionMover"/>) updates the session, all its events and the aggregates beside them, then makes the writer
/// forget the session; if a concurrent batch still wrote events with
/// the old place, the next export sees the old place in the writer's cache and moves the session (and those events)
/// again.</remarks>
public sealed class OtlpSessionPlacer(
    IngestionSessionCache sessions, IngestionWriter writer, UnassignedProject unassigned, SessionMover mover,
    IDbContextFactory<DevInsightsDbContext> dbFactory)
{
    /// <summary>The writer's contexts: as attributed, adopting existing sessions as they are.</summary>
    public static Dictionary<string, SessionContext> ContextsFor(IReadOnlyDictionary<string, (string Client, OtlpAttribution Attribution)> wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var contexts = new Dictionary<string, SessionContext>(wanted.Count, StringComparer.Ordinal);
        foreach (var (id, (client, a)) in wanted)
            contexts[id] = new SessionContext(client, a.DeveloperId, a.ProjectId, a.MachineId, a.WorkspaceId, AdoptExisting: true);
        return contexts;
    }

    /// <summary>Before storing (metrics): finds the sessions that exist, moving those attribution improves.</summary>
    public async Task<OtlpPlacement> PlaceAsync(IReadOnlyDictionary<string, (string Client, OtlpAttribution Attribution)> wanted, CancellationToken ct)
    {
        var existing = await FindAsync(wanted.Keys, ct);
        await MoveAsync(existing, wanted, ct);
        return new OtlpPlacement(ContextsFor(wanted), existing);
    }

    /// <summary>After the export's events were committed (logs): moves the sessions attribution improves.</summary>
    public async Task SettleAsync(IReadOnlyDictionary<string, (string Client, OtlpAttribution Attribution)> wanted, CancellationToken ct) =>
        await MoveAsync(await FindAsync(wanted.Keys, ct), wanted, ct);

    private async Task MoveAsync(Dictionary<string, SessionRef> existing,
        IReadOnlyDictionary<string, (string Client, OtlpAttribution Attribution)> wanted, CancellationToken ct)
    {
        if (existing.Count == 0) return;
        var unassignedId = await unassigned.GetIdAsync(ct);
        foreach (var (id, current) in existing.ToList())
        {
            var target = Target(current, wanted[id].Attribution, unassignedId);
            if (target == current) continue;
            await mover.MoveAsync(target, ct);
            writer.ForgetSession(id);
            existing[id] = target;
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
