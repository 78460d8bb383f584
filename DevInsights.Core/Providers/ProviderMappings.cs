using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Providers;

/// <summary>A provider reference seen in the reports, with its mapping when an admin made one.</summary>
public sealed record ProviderRef(string Provider, string Kind, string ExternalId, long? ProjectId, string? DeveloperId, string? Label, bool Mapped);

/// <summary>Maps provider projects (OpenAI projects, Anthropic workspaces), API keys and users to DevInsights projects and
/// developers, so billed costs can be set beside the telemetry of the same work. Unmapped references stay listed.</summary>
public sealed class ProviderMappings(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Every reference the stored reports name, and every mapping (also of references not seen yet).</summary>
    public async Task<IReadOnlyList<ProviderRef>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var usage = await db.Set<ProviderUsage>().AsNoTracking().Select(u => new { u.Provider, u.ProjectRef, u.ApiKeyRef, u.UserRef }).Distinct().ToListAsync(ct);
        var costs = await db.Set<ProviderCost>().AsNoTracking().Select(c => new { c.Provider, c.ProjectRef, c.ApiKeyRef }).Distinct().ToListAsync(ct);
        var actors = await db.Set<ClaudeCodeUsage>().AsNoTracking().Select(a => a.Actor).Distinct().ToListAsync(ct);
        var seen = new HashSet<(string, string, string)>();
        foreach (var u in usage)
        {
            seen.Add((u.Provider, ProviderMappingKinds.Project, u.ProjectRef));
            seen.Add((u.Provider, ProviderMappingKinds.ApiKey, u.ApiKeyRef));
            seen.Add((u.Provider, ProviderMappingKinds.User, u.UserRef));
        }
        foreach (var c in costs)
        {
            seen.Add((c.Provider, ProviderMappingKinds.Project, c.ProjectRef));
            seen.Add((c.Provider, ProviderMappingKinds.ApiKey, c.ApiKeyRef));
        }
        foreach (var actor in actors) seen.Add(("anthropic", ProviderMappingKinds.User, actor));
        seen.RemoveWhere(s => s.Item3.Length == 0);

        var mapped = (await db.Set<ProviderMapping>().AsNoTracking().ToListAsync(ct)).ToDictionary(m => (m.Provider, m.Kind, m.ExternalId));
        return seen.Union(mapped.Keys)
            .Select(k => mapped.TryGetValue(k, out var m)
                ? new ProviderRef(k.Item1, k.Item2, k.Item3, m.ProjectId, m.DeveloperId, m.Label, m.ProjectId is not null || m.DeveloperId is not null)
                : new ProviderRef(k.Item1, k.Item2, k.Item3, null, null, null, false))
            .OrderBy(r => r.Mapped).ThenBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Kind, StringComparer.Ordinal)
            .ThenBy(r => r.ExternalId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Creates or replaces the mapping of one reference.</summary>
    public async Task SetAsync(string provider, string kind, string externalId, long? projectId, string? developerId, string? label, CancellationToken ct = default)
    {
        if (!ProviderMappingKinds.All.Contains(kind)) throw new ArgumentException($"Unknown kind '{kind}'.", nameof(kind));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mapping = await db.Set<ProviderMapping>().SingleOrDefaultAsync(m => m.Provider == provider && m.Kind == kind && m.ExternalId == externalId, ct);
        if (mapping is null)
        {
            mapping = new ProviderMapping { Provider = provider, Kind = kind, ExternalId = externalId };
            db.Add(mapping);
        }
        mapping.ProjectId = projectId;
        mapping.DeveloperId = string.IsNullOrEmpty(developerId) ? null : developerId;
        mapping.Label = string.IsNullOrWhiteSpace(label) ? null : label.Trim();
        mapping.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
    }

    public async Task RemoveAsync(string provider, string kind, string externalId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Set<ProviderMapping>().Where(m => m.Provider == provider && m.Kind == kind && m.ExternalId == externalId).ExecuteDeleteAsync(ct);
    }
}
