using System.Collections.Concurrent;
using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Hierarchy;

/// <summary>Project → machine → workspace: registers what collectors report, resolves where telemetry belongs,
/// and reads the hierarchy back for lists, trees and event pages.</summary>
/// <remarks>
/// Upserts are single <c>INSERT … ON CONFLICT … DO UPDATE … RETURNING</c> statements, spelled the same for SQLite
/// and PostgreSQL, so concurrent collectors reporting the same machine or repository never race into duplicate rows
/// or unique violations. Reads never touch the events table except the event page itself: counts come from the
/// counters the ingestion writer maintains on sessions.
/// </remarks>
public sealed partial class HierarchyService(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>How many sessions a workspace node of the tree lists by default (its totals still count all of
    /// them). Small on purpose: materialising sessions is most of a tree's cost, and a tree is for finding where
    /// work happens; the workspace context and the session list show more.</summary>
    public const int DefaultSessionsPerWorkspace = 5;

    /// <summary>The most sessions a workspace node may list.</summary>
    public const int MaxSessionsPerWorkspace = 50;

    /// <summary>How many sessions a workspace context lists.</summary>
    public const int RecentSessionCount = 10;

    // Hot path of ingestion (every OTLP batch resolves a project and a machine): ids never change once created,
    // so they are remembered for the life of the process. Keys are project keys and client machine ids.
    private readonly ConcurrentDictionary<string, long> _projectIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _machineIds = new(StringComparer.Ordinal);

    /// <summary>Creates or refreshes a machine; returns its numeric id. First-seen is kept, last-seen refreshed,
    /// and only the fields given replace stored ones.</summary>
    /// <exception cref="HierarchyValidationException">The input breaks <see cref="HierarchyValidation"/>.</exception>
    public async Task<long> UpsertMachineAsync(MachineUpsert input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        HierarchyValidation.ThrowIfAny(HierarchyValidation.Validate(input));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await UpsertMachineCoreAsync(db, input, ct);
    }

    /// <summary>Creates or refreshes a workspace (and its machine, and its project); returns its numeric id.</summary>
    /// <remarks>An existing workspace moves to another project only when the call names a usable remote that maps
    /// elsewhere (a remote was added or changed): a call without one must not demote a repository workspace to a
    /// local project. When it moves, its sessions and their events move with it, so the trees stay consistent.</remarks>
    /// <exception cref="HierarchyValidationException">The input breaks <see cref="HierarchyValidation"/>.</exception>
    public Task<long> UpsertWorkspaceAsync(WorkspaceUpsert input, CancellationToken ct = default) =>
        UpsertWorkspaceAsync(input, null, ct);

    /// <summary>As <see cref="UpsertWorkspaceAsync(WorkspaceUpsert, CancellationToken)"/>, with the project given
    /// (a named project has no remote to derive it from) instead of derived from <see cref="WorkspaceUpsert.RepoUrl"/>.</summary>
    internal async Task<long> UpsertWorkspaceAsync(WorkspaceUpsert input, ProjectIdentity? project, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        HierarchyValidation.ThrowIfAny(HierarchyValidation.Validate(input));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var machineId = await UpsertMachineCoreAsync(db, new MachineUpsert(input.ClientMachineId), ct);

        var existing = await db.Workspaces.AsNoTracking()
            .Where(w => w.ClientWorkspaceId == input.ClientWorkspaceId)
            .Select(w => new { w.ProjectId, ProjectKey = w.Project!.Key, w.Path })
            .FirstOrDefaultAsync(ct);
        var identity = project ?? ProjectIdentity.FromRemote(input.RepoUrl);
        if (identity is null && (existing is null || existing.ProjectKey == Project.UnassignedKey))
            identity = Identify(null, input.ClientMachineId, input.Path ?? existing?.Path);
        var projectId = identity is null ? existing!.ProjectId : await UpsertProjectAsync(db, identity, ct);

        var now = Now();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ids = await db.Database.SqlQuery<long>($"""
            INSERT INTO workspaces (client_workspace_id, project_id, machine_id, path, branch, "commit", first_seen_at, last_seen_at)
            VALUES ({input.ClientWorkspaceId}, {projectId}, {machineId}, {input.Path}, {input.Branch}, {input.Commit}, {now}, {now})
            ON CONFLICT (client_workspace_id) DO UPDATE SET
                project_id = excluded.project_id,
                machine_id = excluded.machine_id,
                path = COALESCE(excluded.path, workspaces.path),
                branch = COALESCE(excluded.branch, workspaces.branch),
                "commit" = COALESCE(excluded."commit", workspaces."commit"),
                last_seen_at = CASE WHEN excluded.last_seen_at > workspaces.last_seen_at THEN excluded.last_seen_at ELSE workspaces.last_seen_at END
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        var workspaceId = ids[0];
        if (existing is not null && existing.ProjectId != projectId)
        {
            // Events first: the sessions' old project id is what finds them.
            var moved = db.Sessions.Where(s => s.WorkspaceId == workspaceId && s.ProjectId != projectId).Select(s => s.Id);
            await db.Events.Where(e => moved.Contains(e.SessionId))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.ProjectId, projectId), ct);
            await db.Sessions.Where(s => s.WorkspaceId == workspaceId && s.ProjectId != projectId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ProjectId, projectId), ct);
        }
        await tx.CommitAsync(ct);
        return workspaceId;
    }

    /// <summary>The project telemetry belongs to: the repository of <paramref name="repoUrl"/>; without a usable
    /// remote, the local project of <paramref name="path"/> on that machine; without either, Unassigned.
    /// Created when new; cached afterwards, so the ingestion hot path costs no query.</summary>
    public Task<long> ResolveProjectAsync(string? repoUrl, string clientMachineId, string? path, CancellationToken ct = default) =>
        ResolveProjectAsync(Identify(repoUrl, clientMachineId, path), ct);

    /// <summary>The project of <paramref name="identity"/>, created when new; cached like the public overload.</summary>
    internal async Task<long> ResolveProjectAsync(ProjectIdentity identity, CancellationToken ct)
    {
        if (_projectIds.TryGetValue(identity.Key, out var cached)) return cached;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await UpsertProjectAsync(db, identity, ct);
    }

    /// <summary>The catch-all project (<see cref="Project.UnassignedKey"/>) for telemetry that names no repository.</summary>
    public Task<long> GetOrCreateUnassignedProjectAsync(CancellationToken ct = default) =>
        ResolveProjectAsync(null, "", null, ct);

    /// <summary>The numeric id of a client machine, created (with no details yet) when unknown; cached.</summary>
    public async Task<long> ResolveMachineIdAsync(string clientMachineId, CancellationToken ct = default)
    {
        if (_machineIds.TryGetValue(clientMachineId, out var cached)) return cached;
        return await UpsertMachineAsync(new MachineUpsert(clientMachineId), ct);
    }

    /// <summary>Forgets every cached project and machine id. Whatever deletes or merges projects or machines
    /// must call it, or ingestion would keep attributing telemetry to the removed rows.</summary>
    public void ClearCache()
    {
        _projectIds.Clear();
        _machineIds.Clear();
    }

    private static ProjectIdentity Identify(string? repoUrl, string clientMachineId, string? path) =>
        ProjectIdentity.FromRemote(repoUrl)
        ?? (string.IsNullOrWhiteSpace(path) || string.IsNullOrWhiteSpace(clientMachineId)
            ? ProjectIdentity.Unassigned
            : ProjectIdentity.Local(clientMachineId, path));

    private async Task<long> UpsertMachineCoreAsync(DevInsightsDbContext db, MachineUpsert input, CancellationToken ct)
    {
        var now = Now();
        var metadata = input.Metadata?.GetRawText();
        var ids = await db.Database.SqlQuery<long>($"""
            INSERT INTO machines (client_machine_id, hostname, os, os_version, arch, ip, first_seen_at, last_seen_at, metadata_json)
            VALUES ({input.ClientMachineId}, {input.Hostname}, {input.Os}, {input.OsVersion}, {input.Arch}, {input.Ip}, {now}, {now}, {metadata})
            ON CONFLICT (client_machine_id) DO UPDATE SET
                hostname = COALESCE(excluded.hostname, machines.hostname),
                os = COALESCE(excluded.os, machines.os),
                os_version = COALESCE(excluded.os_version, machines.os_version),
                arch = COALESCE(excluded.arch, machines.arch),
                ip = COALESCE(excluded.ip, machines.ip),
                metadata_json = COALESCE(excluded.metadata_json, machines.metadata_json),
                last_seen_at = CASE WHEN excluded.last_seen_at > machines.last_seen_at THEN excluded.last_seen_at ELSE machines.last_seen_at END
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        _machineIds[input.ClientMachineId] = ids[0];
        return ids[0];
    }

    private async Task<long> UpsertProjectAsync(DevInsightsDbContext db, ProjectIdentity p, CancellationToken ct)
    {
        var now = Now();
        var ids = await db.Database.SqlQuery<long>($"""
            INSERT INTO projects ("key", repository_url, host, owner, name, full_name, created_at, last_activity_at)
            VALUES ({p.Key}, {p.RepositoryUrl}, {p.Host}, {p.Owner}, {p.Name}, {p.FullName}, {now}, {now})
            ON CONFLICT ("key") DO UPDATE SET
                last_activity_at = CASE WHEN excluded.last_activity_at > projects.last_activity_at THEN excluded.last_activity_at ELSE projects.last_activity_at END
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        _projectIds[p.Key] = ids[0];
        return ids[0];
    }

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;
}
