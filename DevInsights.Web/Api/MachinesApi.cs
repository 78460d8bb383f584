using DevInsights.Core.Hierarchy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary><c>/api/v1/machines</c>: collectors register their machine; people list and inspect machines.
/// Machines are addressed by their client id (the one the collector generated).</summary>
public static class MachinesApi
{
    public static RouteGroupBuilder MapMachinesApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/machines").WithTags("Machines");

        group.MapPost("/", UpsertMachine)
            .WithName("UpsertMachine")
            .WithSummary("Register or refresh a machine (idempotent)")
            .WithDescription("Creates the machine or refreshes it: first-seen is kept, last-seen updated, fields sent replace stored ones, omitted ones are kept.")
            .AcceptsJsonBody<MachineUpsertRequest>();

        group.MapGet("/", ListMachines)
            .WithName("ListMachines")
            .WithSummary("Every machine with its workspace and session counts");

        // Catch-all: a client id may contain "/", which must still reach the handler.
        group.MapGet("/{**machineId}", GetMachine)
            .WithName("GetMachine")
            .WithSummary("A machine by its client id, with its workspaces")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return group;
    }

    public static async Task<Results<Ok<MachineDetails>, ProblemHttpResult>> UpsertMachine(
        HttpRequest request, HierarchyService hierarchy, CancellationToken ct)
    {
        var (upsert, problem) = await HierarchyRequests.ReadUpsertAsync<MachineUpsertRequest, MachineUpsert>(
            request, r => r.ToUpsert(), HierarchyValidation.Validate, ct);
        if (upsert is null) return problem!; // exactly one of the two is set

        await hierarchy.UpsertMachineAsync(upsert, ct);
        var machine = await hierarchy.GetMachineAsync(upsert.ClientMachineId, ct);
        return TypedResults.Ok(machine!);
    }

    public static async Task<Ok<IReadOnlyList<MachineSummary>>> ListMachines(HierarchyService hierarchy, CancellationToken ct) =>
        TypedResults.Ok(await hierarchy.ListMachinesAsync(ct));

    public static async Task<Results<Ok<MachineDetails>, ProblemHttpResult>> GetMachine(
        string machineId, HierarchyService hierarchy, CancellationToken ct)
    {
        var machine = await hierarchy.GetMachineAsync(machineId, ct);
        return machine is null ? HierarchyRequests.NotFound($"No machine has the id '{machineId}'.") : TypedResults.Ok(machine);
    }
}
