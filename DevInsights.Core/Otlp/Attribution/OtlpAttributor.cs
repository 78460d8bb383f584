using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Otlp.Attribution;

/// <summary>Resolves <see cref="OtlpResourceContext"/>s to <see cref="OtlpAttribution"/>s, remembering the answers.</summary>
/// <remarks>
/// The same few contexts arrive with every export of a machine (a context holds machine, repository, branch and user
/// identities, not the session), so resolutions are cached per API key owner and context: after the first export,
/// attribution costs no database round trip. Entries expire after <see cref="CacheLifetime"/>, which bounds how long a
/// changed share level or a new identity link takes to apply and refreshes the machine's last-seen time.
/// <list type="bullet">
/// <item>Machine: <see cref="OtlpMachineKeys.Of"/>, upserted with host name, OS and architecture.</item>
/// <item>Project: <c>devinsights.project</c> (a repository URL, or a name), else <c>vcs.repository.url.full</c>, else
/// Unassigned.</item>
/// <item>Workspace: <c>devinsights.workspace</c>, else derived from machine, repository and branch when a repository is
/// known; none without a machine.</item>
/// <item>Developer: <see cref="OtlpIdentities"/>.</item>
/// </list>
/// </remarks>
public sealed class OtlpAttributor(
    HierarchyService hierarchy, UnassignedProject unassigned, OtlpIdentities identities,
    IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);
    private const int MaxCachedEntries = 10_000;
    private const int MaxWorkspaceIdLength = 200;

    private readonly ConcurrentDictionary<(string Owner, OtlpResourceContext Context), Cached<OtlpAttribution>> _attributions = new();
    private readonly ConcurrentDictionary<string, Cached<ShareLevel>> _shareLevels = new(StringComparer.Ordinal);

    public async ValueTask<OtlpAttribution> ResolveAsync(OtlpResourceContext context, string keyOwnerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        // What a resolution depends on; the resource JSON and versions would only split the cache.
        var key = (keyOwnerId, context with { ResourceAttributesJson = null, ServiceName = null, ServiceVersion = null });
        var now = clock.GetUtcNow().UtcDateTime;
        if (_attributions.TryGetValue(key, out var cached) && now - cached.At < CacheLifetime) return cached.Value;

        var resolved = await ResolveCoreAsync(context, keyOwnerId, ct);
        if (_attributions.Count >= MaxCachedEntries) _attributions.Clear();
        _attributions[key] = new Cached<OtlpAttribution>(resolved, now);
        return resolved;
    }

    /// <summary>The share level of a user (None for an unknown one), cached like attributions.</summary>
    public async ValueTask<ShareLevel> ShareLevelAsync(string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_shareLevels.TryGetValue(userId, out var cached) && now - cached.At < CacheLifetime) return cached.Value;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A missing user would be a deleted account with a live key: keep no content for it.
        var level = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => (ShareLevel?)u.ShareLevel).FirstOrDefaultAsync(ct)
            ?? ShareLevel.None;
        if (_shareLevels.Count >= MaxCachedEntries) _shareLevels.Clear();
        _shareLevels[userId] = new Cached<ShareLevel>(level, now);
        return level;
    }

    /// <summary>Forgets every cached answer: call after linking identities, changing share levels, or deleting
    /// projects or machines, for the change to apply at once.</summary>
    public void ClearCache()
    {
        _attributions.Clear();
        _shareLevels.Clear();
    }

    private async Task<OtlpAttribution> ResolveCoreAsync(OtlpResourceContext c, string keyOwnerId, CancellationToken ct)
    {
        var machineKey = OtlpMachineKeys.Of(c);
        long? machineId = machineKey is null ? null : await hierarchy.UpsertMachineAsync(
            new MachineUpsert(machineKey, Clip(c.HostName, 255), Clip(c.OsType, 100), Clip(c.OsVersion, 100), Clip(c.HostArch, 50)), ct);

        // devinsights.project wins over the repository the client reports: the administrator said so.
        var named = Blank(c.Project);
        var repoUrl = named is not null && ProjectIdentity.FromRemote(named) is not null ? named : Blank(c.RepositoryUrl);
        var project = named is null ? ProjectIdentity.FromRemote(repoUrl) : ProjectIdentity.FromRemote(named) ?? ProjectIdentity.Named(named);
        var projectId = project is null ? await unassigned.GetIdAsync(ct) : await hierarchy.ResolveProjectAsync(project, ct);

        long? workspaceId = null;
        var workspaceKey = WorkspaceKey(c, machineKey, project);
        if (machineKey is not null && workspaceKey is not null)
        {
            workspaceId = await hierarchy.UpsertWorkspaceAsync(
                new WorkspaceUpsert(workspaceKey, machineKey, RepoUrl: Clip(repoUrl, HierarchyValidation.MaxRepoUrlChars), Branch: Clip(Blank(c.Branch), 255)),
                project, ct);
        }

        var isUnassigned = project is null;
        if (isUnassigned && workspaceId is { } workspace)
        {
            // A workspace named without a project keeps the project it already has (Unassigned when new).
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            projectId = await db.Workspaces.AsNoTracking().Where(w => w.Id == workspace).Select(w => w.ProjectId).SingleAsync(ct);
            isUnassigned = projectId == await unassigned.GetIdAsync(ct);
        }

        var developerId = await identities.ResolveDeveloperAsync(c, keyOwnerId, ct);
        return new OtlpAttribution(projectId, isUnassigned, machineId, workspaceId, developerId, await ShareLevelAsync(developerId, ct));
    }

    /// <summary><c>devinsights.workspace</c> as given; else machine + repository + branch when a repository is known, e.g.
    /// "devbox:https://github.com/acme/acme-api@main" (a project known only by name says nothing about checkouts).</summary>
    private static string? WorkspaceKey(OtlpResourceContext c, string? machineKey, ProjectIdentity? project)
    {
        var explicitKey = Blank(c.Workspace);
        var key = explicitKey ?? (project?.RepositoryUrl is not { } repository || machineKey is null ? null
            : $"{machineKey}:{repository}" + (Blank(c.Branch) is { } branch ? "@" + branch : ""));
        if (key is null || key.Length <= MaxWorkspaceIdLength) return key;
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Clip(string? value, int max) => value is { Length: > 0 } v && v.Length > max ? v[..max] : value;

    private readonly record struct Cached<T>(T Value, DateTime At);
}
