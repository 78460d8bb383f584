using DevInsights.Core.Sessions;
using DevInsights.Web.Api;

namespace DevInsights.Web.Hosting;

/// <summary>The sessions feature: its service and its API under /api/v1/sessions.</summary>
public static class SessionsRegistration
{
    public static IServiceCollection AddSessions(this IServiceCollection services)
    {
        // Stateless over IDbContextFactory: one instance serves every request and page.
        services.AddSingleton<SessionService>();
        return services;
    }

    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        SessionsApi.Map(app.MapGroup("/api/v1/sessions").RequireAuthorization().WithTags("Sessions"));
        return app;
    }
}
