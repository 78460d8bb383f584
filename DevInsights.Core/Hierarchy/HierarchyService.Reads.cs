using System.Linq.Expressions;
using System.Text.Json;
using DevInsights.Core.Data;
using DevInsights.Core.Sessions;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Hierarchy;

// Reads. Each method issues a fixed number of queries whatever the size of the hierarchy (no query per node),
// and every figure comes from the workspaces and sessions tables, never from counting events.
public sealed partial class HierarchyService
{
    private sealed record SessionRow(long? WorkspaceId, SessionSummary Summary);

    private sealed record SessionTotalsRow(long? Key, NodeTotals Totals);

    private static readonly Expression<Func<Session, SessionRow>> _toSessionRow = s => new SessionRow(
        s.WorkspaceId,
        new SessionSummary(s.ClientSessionId, s.Client, s.StartedAt, s.LastEventAt, s.EventCount,
            s.InputTokens, s.OutputTokens, s.CacheReadTokens, s.CacheCreationTokens, s.CostUsd));

    /// <summary>A workspace with its machine, its project and its <see cref="RecentSessionCount"/> latest sessions;
    /// null when the client workspace id is unknown. Two indexed queries.</summary>
    public async Task<WorkspaceContext?> GetWorkspaceContextAsync(string clientWorkspaceId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Workspaces.AsNoTracking()
            .Where(w => w.ClientWorkspaceId == clientWorkspaceId)
            .Select(w => new { Workspace = w, w.Machine, w.Project })
            .FirstOrDefaultAsync(ct);
        if (row is null) return null;

        var sessions = await db.Sessions.AsNoTracking()
            .Where(s => s.WorkspaceId == row.Workspace.Id)
            .OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id)
            .Take(RecentSessionCount)
            .Select(_toSessionRow)
            .ToListAsync(ct);
        return new WorkspaceContext(ToInfo(row.Workspace), ToInfo(row.Machine!), ToInfo(row.Project!),
            sessions.Select(s => s.Summary).ToList());
    }

    /// <summary>The project's machines → workspaces → latest sessions, with totals on every node; null when the
    /// project does not exist. Four queries: project, workspaces with their machines, session totals per workspace,
    /// and the latest <paramref name="sessionsPerWorkspace"/> sessions of each workspace.</summary>
    public async Task<ProjectTree?> GetProjectTreeAsync(long projectId, int sessionsPerWorkspace = DefaultSessionsPerWorkspace, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sessionsPerWorkspace);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sessionsPerWorkspace, MaxSessionsPerWorkspace);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null) return null;

        var workspaces = await db.Workspaces.AsNoTracking()
            .Where(w => w.ProjectId == projectId)
            .Select(w => new { Workspace = w, w.Machine!.ClientMachineId, w.Machine.Hostname, w.Machine.Os })
            .ToListAsync(ct);
        var totals = await SessionTotals(Facts(db.Sessions.Where(s => s.ProjectId == projectId)), s => s.WorkspaceId)
            .ToDictionaryAsync(t => t.Key ?? 0, t => t.Totals, ct);
        // Latest N per workspace in one statement, in two steps: rank the project's sessions on the
        // (project_id, workspace_id, started_at DESC, id DESC) index, already in partition order (EF turns the
        // correlated Take into ROW_NUMBER() OVER (PARTITION BY workspace_id ...)), then read only the winning rows
        // by primary key. One window pass with the totals in it measured slower on SQLite than these two queries.
        var latestIds = db.Workspaces
            .Where(w => w.ProjectId == projectId)
            .SelectMany(w => db.Sessions
                .Where(s => s.ProjectId == projectId && s.WorkspaceId == w.Id)
                .OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id)
                .Take(sessionsPerWorkspace)
                .Select(s => s.Id))
            .Concat(db.Sessions
                .Where(s => s.ProjectId == projectId && s.WorkspaceId == null)
                .OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id)
                .Take(sessionsPerWorkspace)
                .Select(s => s.Id));
        var sessions = await db.Sessions.AsNoTracking()
            .Where(s => latestIds.Contains(s.Id))
            .Select(_toSessionRow)
            .ToListAsync(ct);

        var known = workspaces.Select(w => w.Workspace.Id).ToHashSet();
        // Sessions with no workspace are the unattributed node. A session filed under this project whose workspace
        // has since moved elsewhere (the writer raced the move) is still counted there, so the totals add up.
        long Node(long? workspaceId) => workspaceId is { } id && known.Contains(id) ? id : 0;
        var sessionsByNode = sessions.ToLookup(s => Node(s.WorkspaceId), s => s.Summary);
        var unattributedTotals = totals.Where(t => Node(t.Key) == 0).Aggregate(NodeTotals.Empty, (sum, t) => sum.Add(t.Value));

        var machines = workspaces
            .Select(w => (w.ClientMachineId, w.Hostname, w.Os, Node: new WorkspaceNode(
                w.Workspace.ClientWorkspaceId, w.Workspace.Path, w.Workspace.Branch, w.Workspace.Commit,
                w.Workspace.FirstSeenAt, w.Workspace.LastSeenAt,
                totals.GetValueOrDefault(w.Workspace.Id, NodeTotals.Empty), Latest(sessionsByNode[w.Workspace.Id], sessionsPerWorkspace))))
            .GroupBy(w => (w.ClientMachineId, w.Hostname, w.Os))
            .Select(g =>
            {
                // Most recently active first; workspaces with no session yet after them, most recently seen first.
                var nodes = g.Select(w => w.Node).OrderByDescending(n => n.Totals.LastActivityAt ?? DateTime.MinValue)
                    .ThenByDescending(n => n.LastSeenAt).ThenBy(n => n.ClientWorkspaceId, StringComparer.Ordinal).ToList();
                return new MachineNode(g.Key.ClientMachineId, g.Key.Hostname, g.Key.Os,
                    nodes.Aggregate(NodeTotals.Empty, (sum, n) => sum.Add(n.Totals)), nodes);
            })
            .OrderByDescending(m => m.Totals.LastActivityAt ?? DateTime.MinValue)
            .ThenBy(m => m.ClientMachineId, StringComparer.Ordinal)
            .ToList();
        var unattributed = unattributedTotals.SessionCount == 0
            ? null
            : new SessionGroup(unattributedTotals, Latest(sessionsByNode[0], sessionsPerWorkspace));
        var projectTotals = machines.Aggregate(unattributedTotals, (sum, m) => sum.Add(m.Totals));
        return new ProjectTree(ToInfo(project), projectTotals, machines, unattributed);
    }

    /// <summary>Every project with its counts, most recently active first. Four queries, none on events.</summary>
    public async Task<IReadOnlyList<ProjectSummary>> ListProjectsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var projects = await db.Projects.AsNoTracking().ToListAsync(ct);
        var workspaceCounts = await db.Workspaces.GroupBy(w => w.ProjectId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        // Distinct (project, machine) pairs from both sides: telemetry without a workspace still names its machine.
        var machineCounts = await db.Workspaces.Select(w => new { w.ProjectId, MachineId = (long?)w.MachineId })
            .Union(db.Sessions.Where(s => s.MachineId != null).Select(s => new { s.ProjectId, s.MachineId }))
            .GroupBy(x => x.ProjectId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var sessionTotals = await SessionTotals(Facts(db.Sessions), s => s.ProjectId)
            .ToDictionaryAsync(t => t.Key!.Value, t => t.Totals, ct);

        return projects.Select(p =>
            {
                var t = sessionTotals.GetValueOrDefault(p.Id, NodeTotals.Empty);
                var last = t.LastActivityAt is { } l && l > p.LastActivityAt ? l : p.LastActivityAt;
                return new ProjectSummary(ToInfo(p), machineCounts.GetValueOrDefault(p.Id), workspaceCounts.GetValueOrDefault(p.Id),
                    t.SessionCount, t.EventCount, t.CostUsd, last);
            })
            .OrderByDescending(p => p.LastActivityAt).ThenBy(p => p.Project.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Every machine with its workspace and session counts, most recently seen first. Three queries.</summary>
    public async Task<IReadOnlyList<MachineSummary>> ListMachinesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var machines = await db.Machines.AsNoTracking().ToListAsync(ct);
        var workspaceCounts = await db.Workspaces.GroupBy(w => w.MachineId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var sessionTotals = await SessionTotals(FactsByMachine(db).Where(s => s.MachineId != null), s => s.MachineId)
            .ToDictionaryAsync(t => t.Key!.Value, t => t.Totals, ct);

        return machines.Select(m =>
            {
                var t = sessionTotals.GetValueOrDefault(m.Id, NodeTotals.Empty);
                return new MachineSummary(ToInfo(m), workspaceCounts.GetValueOrDefault(m.Id), t.SessionCount, t.LastActivityAt);
            })
            .OrderByDescending(m => m.Machine.LastSeenAt).ThenBy(m => m.Machine.ClientMachineId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A machine by its client id with its workspaces; null when unknown. Three queries.</summary>
    public async Task<MachineDetails?> GetMachineAsync(string clientMachineId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var machine = await db.Machines.AsNoTracking().FirstOrDefaultAsync(m => m.ClientMachineId == clientMachineId, ct);
        if (machine is null) return null;

        var workspaces = await db.Workspaces.AsNoTracking()
            .Where(w => w.MachineId == machine.Id)
            .Select(w => new { Workspace = w, ProjectName = w.Project!.Name })
            .ToListAsync(ct);
        var perWorkspace = await SessionTotals(FactsByMachine(db).Where(s => s.MachineId == machine.Id), s => s.WorkspaceId)
            .ToListAsync(ct);

        var all = perWorkspace.Aggregate(NodeTotals.Empty, (sum, t) => sum.Add(t.Totals));
        var counts = perWorkspace.Where(t => t.Key != null).ToDictionary(t => t.Key!.Value, t => t.Totals.SessionCount);
        var items = workspaces
            .Select(w => new MachineWorkspace(w.Workspace.ClientWorkspaceId, w.Workspace.ProjectId, w.ProjectName, w.Workspace.Path,
                w.Workspace.Branch, w.Workspace.Commit, w.Workspace.FirstSeenAt, w.Workspace.LastSeenAt, counts.GetValueOrDefault(w.Workspace.Id)))
            .OrderByDescending(w => w.LastSeenAt).ThenBy(w => w.ClientWorkspaceId, StringComparer.Ordinal)
            .ToList();
        return new MachineDetails(ToInfo(machine), all.SessionCount, all.LastActivityAt, items);
    }

    // The columns the totals need, flat: EF translates GROUP BY over such a projection, not over entities of a join.
    private sealed class SessionFacts
    {
        public long ProjectId { get; init; }
        public long? WorkspaceId { get; init; }
        public long? MachineId { get; init; }
        public long EventCount { get; init; }
        public double CostUsd { get; init; }
        public DateTime LastEventAt { get; init; }
    }

    private static IQueryable<SessionFacts> Facts(IQueryable<Session> sessions) =>
        sessions.Select(s => new SessionFacts
        {
            ProjectId = s.ProjectId, WorkspaceId = s.WorkspaceId, MachineId = s.MachineId,
            EventCount = s.EventCount, CostUsd = s.CostUsd, LastEventAt = s.LastEventAt,
        });

    // A session's machine is its workspace's when it has one (the collector registered it), else the one
    // telemetry named when the session was created.
    private static IQueryable<SessionFacts> FactsByMachine(DevInsightsDbContext db) =>
        from s in db.Sessions
        join w in db.Workspaces on s.WorkspaceId equals w.Id into ws
        from w in ws.DefaultIfEmpty()
        select new SessionFacts
        {
            ProjectId = s.ProjectId, WorkspaceId = s.WorkspaceId, MachineId = w != null ? w.MachineId : s.MachineId,
            EventCount = s.EventCount, CostUsd = s.CostUsd, LastEventAt = s.LastEventAt,
        };

    private static IQueryable<SessionTotalsRow> SessionTotals(IQueryable<SessionFacts> sessions, Expression<Func<SessionFacts, long?>> key) =>
        sessions.GroupBy(key).Select(g => new SessionTotalsRow(g.Key, new NodeTotals(
            g.Count(), g.Sum(s => s.EventCount), g.Sum(s => s.CostUsd), g.Max(s => (DateTime?)s.LastEventAt))));

    private static List<SessionSummary> Latest(IEnumerable<SessionSummary> sessions, int count) =>
        sessions.OrderByDescending(s => s.StartedAt).Take(count).ToList();

    internal static MachineInfo ToInfo(Machine m) => new(m.Id, m.ClientMachineId, m.Hostname, m.Os, m.OsVersion, m.Arch, m.Ip,
        m.FirstSeenAt, m.LastSeenAt, ParseJson(m.MetadataJson));

    private static ProjectInfo ToInfo(Project p) => new(p.Id, p.Key, p.Name, p.FullName, p.RepositoryUrl, p.Host, p.Owner,
        p.CreatedAt, p.LastActivityAt);

    private static WorkspaceInfo ToInfo(Workspace w) => new(w.Id, w.ClientWorkspaceId, w.Path, w.Branch, w.Commit, w.FirstSeenAt, w.LastSeenAt);

    // Stored JSON was validated on the way in; a row written by hand that is not JSON is shown as absent, not as an error.
    private static JsonElement? ParseJson(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
