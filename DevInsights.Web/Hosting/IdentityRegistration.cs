using DevInsights.Core.Identity;
using DevInsights.Web.Api;

namespace DevInsights.Web.Hosting;

/// <summary>Telemetry identities for administrators (/api/v1/admin/identities, the /admin/identities page) and the
/// caller's own API keys (/api/v1/me/keys, the /me page).</summary>
public static class IdentityRegistration
{
    public static IServiceCollection AddIdentityAdministration(this IServiceCollection services)
    {
        // Stateless over IDbContextFactory, like the other identity services: one instance serves every request and page.
        services.AddSingleton<TelemetryIdentityAdministration>();
        services.AddSingleton<PersonalKeys>();
        return services;
    }

    public static IEndpointRouteBuilder MapIdentityAdministrationApi(this IEndpointRouteBuilder app)
    {
        IdentitiesApi.Map(app.MapGroup("/api/v1/admin/identities")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin)).WithTags("Admin"));
        MyKeysApi.Map(app.MapGroup("/api/v1/me/keys").RequireAuthorization().WithTags("Me"));
        return app;
    }
}
