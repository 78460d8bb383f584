using DevInsights.Core.Hierarchy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary><c>/api/v1/workspaces</c>: collectors register working directories (which decides their project);
/// a workspace is read back with its machine, project and latest sessions.</summary>
public static class WorkspacesApi
{
    public static RouteGroupBuilder MapWorkspacesApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/workspaces").WithTags("Workspaces");

        group.MapPost("/", UpsertWorkspace)
            .WithName("UpsertWorkspace")
            .WithSummary("Register or refresh a workspace (idempotent)")
            .WithDescription("The project comes from repoUrl (SSH, HTTPS and other spellings of one repository are one project); " +
                "without a usable remote, a local project per machine and path. An unknown machineId is created.")
            .AcceptsJsonBody<WorkspaceUpsertRequest>();

        // Catch-all: collectors may build ids from paths, and a "/" in them must still reach the handler.
        group.MapGet("/{**workspaceId}", GetWorkspace)
            .WithName("GetWorkspace")
            .WithSummary("A workspace by its client id, with its machine, project and latest sessions")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    public static async Task<Results<Ok<WorkspaceContext>, ProblemHttpResult>> UpsertWorkspace(
        HttpRequest request, HierarchyService hierarchy, CancellationToken ct)
    {
        var (upsert, problem) = await HierarchyRequests.ReadUpsertAsync<WorkspaceUpsertRequest, WorkspaceUpsert>(
            request, r => r.ToUpsert(), HierarchyValidation.Validate, ct);
        if (upsert is null) return problem!; // exactly one of the two is set

        await hierarchy.UpsertWorkspaceAsync(upsert, ct);
        var context = await hierarchy.GetWorkspaceContextAsync(upsert.ClientWorkspaceId, ct);
        return TypedResults.Ok(context!);
    }

    public static async Task<Results<Ok<WorkspaceContext>, ProblemHttpResult>> GetWorkspace(
        string workspaceId, HierarchyService hierarchy, CancellationToken ct)
    {
        var context = await hierarchy.GetWorkspaceContextAsync(workspaceId, ct);
        return context is null ? HierarchyRequests.NotFound($"No workspace has the id '{workspaceId}'.") : TypedResults.Ok(context);
    }
}
