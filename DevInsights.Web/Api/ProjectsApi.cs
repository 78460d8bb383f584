using System.Globalization;
using DevInsights.Core.Hierarchy;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DevInsights.Web.Api;

/// <summary><c>/api/v1/projects</c>: the project list, a project's machine → workspace → session tree, and its
/// event timeline. Projects are addressed by their numeric id (their key may be a URL).</summary>
public static class ProjectsApi
{
    public static RouteGroupBuilder MapProjectsApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/projects").WithTags("Projects");

        group.MapGet("/", ListProjects)
            .WithName("ListProjects")
            .WithSummary("Every project with machine, workspace, session and event counts, most recently active first");

        group.MapGet("/{id:long}/hierarchy", GetHierarchy)
            .WithName("GetProjectHierarchy")
            .WithSummary("The project's machines → workspaces → latest sessions, with totals on every node")
            .WithDescription("sessions (0 to 50, default 5) sets how many of each workspace's latest sessions are listed; totals count all of them.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id:long}/events", GetEvents)
            .WithName("GetProjectEvents")
            .WithSummary("The project's events, newest first, in keyset pages")
            .WithDescription("machineId and workspaceId are the client ids. Pass nextCursor back as cursor for the next page; " +
                "it is null on the last page. Developers see the events of their own sessions; team leads and admins see all.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    public static async Task<Ok<IReadOnlyList<ProjectSummary>>> ListProjects(HierarchyService hierarchy, CancellationToken ct) =>
        TypedResults.Ok(await hierarchy.ListProjectsAsync(ct));

    /// <param name="sessions">Sessions listed per workspace, 0 to 50 (default 5); totals always count all of them.</param>
    public static async Task<Results<Ok<ProjectTree>, ProblemHttpResult>> GetHierarchy(
        long id, [FromQuery(Name = "sessions")] string? sessions, HierarchyService hierarchy, CancellationToken ct)
    {
        var perWorkspace = HierarchyService.DefaultSessionsPerWorkspace;
        if (sessions is not null
            && (!int.TryParse(sessions, NumberStyles.None, CultureInfo.InvariantCulture, out perWorkspace)
                || perWorkspace > HierarchyService.MaxSessionsPerWorkspace))
            return HierarchyRequests.Invalid("sessions", $"sessions must be a whole number from 0 to {HierarchyService.MaxSessionsPerWorkspace}.");
        var tree = await hierarchy.GetProjectTreeAsync(id, perWorkspace, ct);
        return tree is null ? ProjectNotFound(id) : TypedResults.Ok(tree);
    }

    public static async Task<Results<Ok<EventPage>, ProblemHttpResult>> GetEvents(
        long id, [AsParameters] ProjectEventsRequest request, HttpContext http, HierarchyService hierarchy, CancellationToken ct)
    {
        var query = request.ToQuery(id, out var errors);
        if (query is null) return HierarchyRequests.Validation(errors);
        var caller = CurrentUser.From(http.User)!; // the group requires an authenticated user
        var page = await hierarchy.GetProjectEventsAsync(query, caller.Id, caller.Roles, ct);
        return page is null ? ProjectNotFound(id) : TypedResults.Ok(page);
    }

    private static ProblemHttpResult ProjectNotFound(long id) => HierarchyRequests.NotFound($"No project has the id {id}.");
}
