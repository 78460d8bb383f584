using DevInsights.Core.Hierarchy;
using DevInsights.Web.Components.Pages.Shared;
using DevInsights.Web.Security;

namespace DevInsights.Web.Components.Pages.Projects;

/// <summary>The project events grid's filters, as the URL carries them (client ids for machine and workspace).</summary>
public sealed record ProjectEventFilter(string? Machine, string? Workspace, string? Type);

public sealed record ProjectModel(ProjectTree Tree, UsageSummary Usage, SessionStats Sessions);

/// <summary>A project's page: its tree (hierarchy service), charts (rollup) and events (keyset pages).</summary>
public sealed class ProjectDetailQuery(HierarchyService hierarchy, UsageRollup rollup, ActivityQueries activity)
{
    public const int EventPageSize = 50;
    /// <summary>Sessions listed under each workspace of the tree (its totals count them all).</summary>
    public const int SessionsPerWorkspace = 5;

    /// <summary>Null when there is no such project.</summary>
    public async Task<ProjectModel?> LoadAsync(long projectId, TimeRange range, CancellationToken ct = default)
    {
        var tree = await hierarchy.GetProjectTreeAsync(projectId, SessionsPerWorkspace, ct);
        if (tree is null) return null;
        var scope = new UsageScope(ProjectId: projectId);
        return new ProjectModel(tree, await rollup.SummarizeAsync(scope, range, ct), await activity.SessionStatsAsync(scope, range, ct));
    }

    /// <summary>One page of the project's events in the range, newest first, as the caller may see them.</summary>
    public async Task<EventPage> EventsAsync(CurrentUser user, long projectId, TimeRange range, ProjectEventFilter filter, string? cursor,
        CancellationToken ct = default)
    {
        var query = new EventQuery(projectId, filter.Machine, filter.Workspace, range.Start, range.End, EventPageSize, cursor, filter.Type);
        return await hierarchy.GetProjectEventsAsync(query, user.Id, user.Roles, ct) ?? new EventPage([], null);
    }
}
