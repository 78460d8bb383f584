using System.Text.Json;

namespace DevInsights.Core.Hierarchy;

// Inputs and read models of HierarchyService. Public identifiers are the CLIENT ids (the ones collectors
// generate); numeric ids appear only where the database owns the identity (projects) or for joins by other features.

/// <summary>What a collector reports about its machine. Null fields keep the value already stored.</summary>
/// <param name="Metadata">A JSON object (free-form: CPU, memory, shell...); replaces the stored one when given.</param>
public sealed record MachineUpsert(
    string ClientMachineId,
    string? Hostname = null,
    string? Os = null,
    string? OsVersion = null,
    string? Arch = null,
    string? Ip = null,
    JsonElement? Metadata = null);

/// <summary>What a collector reports about a working directory. <paramref name="ClientMachineId"/> is created when unknown.</summary>
/// <param name="RepoUrl">The git remote; decides the project. Without a usable one the workspace gets a local project.</param>
public sealed record WorkspaceUpsert(
    string ClientWorkspaceId,
    string ClientMachineId,
    string? RepoUrl = null,
    string? Path = null,
    string? Branch = null,
    string? Commit = null);

/// <summary>A machine row as stored.</summary>
public sealed record MachineInfo(
    long Id,
    string ClientMachineId,
    string? Hostname,
    string? Os,
    string? OsVersion,
    string? Arch,
    string? Ip,
    DateTime FirstSeenAt,
    DateTime LastSeenAt,
    JsonElement? Metadata);

/// <summary>A machine in the machine list, with counts read from the workspaces and sessions tables.</summary>
public sealed record MachineSummary(MachineInfo Machine, int WorkspaceCount, int SessionCount, DateTime? LastActivityAt);

/// <summary>One machine with its workspaces; <paramref name="SessionCount"/> also counts sessions with no workspace.</summary>
public sealed record MachineDetails(MachineInfo Machine, int SessionCount, DateTime? LastActivityAt, IReadOnlyList<MachineWorkspace> Workspaces);

public sealed record MachineWorkspace(
    string ClientWorkspaceId,
    long ProjectId,
    string ProjectName,
    string? Path,
    string? Branch,
    string? Commit,
    DateTime FirstSeenAt,
    DateTime LastSeenAt,
    int SessionCount);

/// <summary>A project's identity and display names.</summary>
/// <param name="Key">The normalised repository URL, "local:{machine}:{path}" or <see cref="Project.UnassignedKey"/>.</param>
public sealed record ProjectInfo(
    long Id,
    string Key,
    string Name,
    string FullName,
    string? RepositoryUrl,
    string? Host,
    string? Owner,
    DateTime CreatedAt,
    DateTime LastActivityAt);

/// <summary>A project in the project list. <paramref name="MachineCount"/> counts distinct machines of its
/// workspaces and of its sessions; <paramref name="EventCount"/> sums the sessions' maintained counters.</summary>
public sealed record ProjectSummary(
    ProjectInfo Project,
    int MachineCount,
    int WorkspaceCount,
    int SessionCount,
    long EventCount,
    double CostUsd,
    DateTime LastActivityAt);

/// <summary>One session as lists and trees show it (figures maintained on the session by the ingestion writer).</summary>
public sealed record SessionSummary(
    string ClientSessionId,
    string Client,
    DateTime StartedAt,
    DateTime LastEventAt,
    long EventCount,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheCreationTokens,
    double CostUsd)
{
    public long TotalTokens => InputTokens + OutputTokens + CacheReadTokens + CacheCreationTokens;
}

public sealed record WorkspaceInfo(
    long Id,
    string ClientWorkspaceId,
    string? Path,
    string? Branch,
    string? Commit,
    DateTime FirstSeenAt,
    DateTime LastSeenAt);

/// <summary>A workspace with where it lives, what it belongs to and its latest sessions (newest first).</summary>
public sealed record WorkspaceContext(WorkspaceInfo Workspace, MachineInfo Machine, ProjectInfo Project, IReadOnlyList<SessionSummary> RecentSessions);

/// <summary>Totals of a node of the tree: every session below it, not only the listed ones.</summary>
public sealed record NodeTotals(int SessionCount, long EventCount, double CostUsd, DateTime? LastActivityAt)
{
    public static readonly NodeTotals Empty = new(0, 0, 0, null);

    public NodeTotals Add(NodeTotals other) => new(
        SessionCount + other.SessionCount,
        EventCount + other.EventCount,
        CostUsd + other.CostUsd,
        Latest(LastActivityAt, other.LastActivityAt));

    private static DateTime? Latest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

/// <summary>A project's machines → workspaces → sessions. Each node's <see cref="NodeTotals"/> counts all its
/// sessions; its <c>Sessions</c> list holds only the latest ones (see <see cref="HierarchyService.DefaultSessionsPerWorkspace"/>).</summary>
/// <param name="Unattributed">Sessions of the project that no registered workspace claims; null when there are none.</param>
public sealed record ProjectTree(ProjectInfo Project, NodeTotals Totals, IReadOnlyList<MachineNode> Machines, SessionGroup? Unattributed);

public sealed record MachineNode(
    string ClientMachineId,
    string? Hostname,
    string? Os,
    NodeTotals Totals,
    IReadOnlyList<WorkspaceNode> Workspaces);

public sealed record WorkspaceNode(
    string ClientWorkspaceId,
    string? Path,
    string? Branch,
    string? Commit,
    DateTime FirstSeenAt,
    DateTime LastSeenAt,
    NodeTotals Totals,
    IReadOnlyList<SessionSummary> Sessions);

public sealed record SessionGroup(NodeTotals Totals, IReadOnlyList<SessionSummary> Sessions);

/// <summary>A page request over a project's events, newest first.</summary>
/// <param name="ClientMachineId">Filter by the collector's machine id (not the numeric id).</param>
/// <param name="ClientWorkspaceId">Filter by the collector's workspace id (not the numeric id).</param>
/// <param name="From">Inclusive lower bound on the event timestamp (UTC).</param>
/// <param name="To">Exclusive upper bound on the event timestamp (UTC).</param>
/// <param name="Cursor">The <see cref="EventPage.NextCursor"/> of the previous page.</param>
/// <param name="Type">Only events of this type (exact, e.g. "api_request").</param>
public sealed record EventQuery(
    long ProjectId,
    string? ClientMachineId = null,
    string? ClientWorkspaceId = null,
    DateTime? From = null,
    DateTime? To = null,
    int Limit = EventQuery.DefaultLimit,
    string? Cursor = null,
    string? Type = null)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;
}

public sealed record EventItem(
    long Id,
    DateTime Timestamp,
    string Type,
    string? ToolName,
    string? Model,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheCreationTokens,
    double? CostUsd,
    long? DurationMs,
    bool? Success,
    string Source,
    string ClientSessionId,
    string? ClientMachineId,
    string? ClientWorkspaceId,
    JsonElement? Attributes);

/// <summary>One page of events; <paramref name="NextCursor"/> is null on the last page.</summary>
public sealed record EventPage(IReadOnlyList<EventItem> Items, string? NextCursor);
