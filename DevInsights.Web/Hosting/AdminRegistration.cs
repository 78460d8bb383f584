using DevInsights.Core.Identity;
using DevInsights.Web.Api;
using DevInsights.Web.Health;

namespace DevInsights.Web.Hosting;

/// <summary>User administration (shared by the <c>admin</c> commands and pages), the health endpoint and
/// GET /api/v1/me.</summary>
public static class AdminRegistration
{
    public static IServiceCollection AddAdministration(this IServiceCollection services)
    {
        services.AddSingleton<AuditTrail>();
        services.AddScoped<UserAdministration>();
        // A load balancer must get an answer even when the database hangs rather than refuses.
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>(HealthResponse.DatabaseCheck, timeout: TimeSpan.FromSeconds(5));
        return services;
    }

    public static IEndpointRouteBuilder MapAdministrationApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health", HealthResponse.Options).AllowAnonymous().WithDisplayName("Health");
        app.MapMeApi();
        return app;
    }
}
