using DevInsights.Core.Hierarchy;
using DevInsights.Web.Components.Pages.Shared;

namespace DevInsights.Web.Components.Pages.Projects;

/// <summary>A line of the projects grid: the hierarchy's counts (all time) and the rollup's figures for the range.</summary>
public sealed record ProjectRow(
    long Id, string Name, string FullName, string? RepositoryUrl, int Machines, int Workspaces, int Sessions, long Events,
    double CostAllTime, double CostInRange, long TokensInRange, DateTime LastActivityAt);

/// <summary>The projects list: <see cref="HierarchyService.ListProjectsAsync"/> joined in memory with the range's rollup.</summary>
public sealed class ProjectsQuery(HierarchyService hierarchy, UsageRollup rollup)
{
    /// <param name="search">Case-insensitive text matched against the name, full name and repository.</param>
    public async Task<IReadOnlyList<ProjectRow>> LoadAsync(TimeRange range, string? search, CancellationToken ct = default)
    {
        var projects = await hierarchy.ListProjectsAsync(ct);
        var usage = (await rollup.ByProjectAsync(UsageScope.Team, range, ct)).ToDictionary(p => p.ProjectId);
        return projects
            .Where(p => string.IsNullOrWhiteSpace(search) || Matches(p.Project, search.Trim()))
            .Select(p => new ProjectRow(p.Project.Id, p.Project.Name, p.Project.FullName, p.Project.RepositoryUrl,
                p.MachineCount, p.WorkspaceCount, p.SessionCount, p.EventCount, p.CostUsd,
                usage.TryGetValue(p.Project.Id, out var u) ? u.CostUsd : 0, u.Tokens, p.LastActivityAt))
            .OrderByDescending(p => p.CostInRange).ThenByDescending(p => p.LastActivityAt).ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static bool Matches(ProjectInfo p, string search) =>
        p.Name.Contains(search, StringComparison.OrdinalIgnoreCase)
        || p.FullName.Contains(search, StringComparison.OrdinalIgnoreCase)
        || (p.RepositoryUrl?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false);
}
