using DevInsights.Core.Hierarchy;
using DevInsights.Web.Api;

namespace DevInsights.Web.Hosting;

/// <summary>Wiring of the hierarchy feature: its service and its /api/v1 endpoints.</summary>
public static class HierarchyRegistration
{
    public static IServiceCollection AddHierarchy(this IServiceCollection services)
    {
        // One instance: it holds the process-wide cache of project and machine ids.
        services.AddSingleton<HierarchyService>();
        return services;
    }

    public static IEndpointRouteBuilder MapHierarchyApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization();
        api.ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapMachinesApi();
        api.MapWorkspacesApi();
        api.MapProjectsApi();
        return app;
    }
}
