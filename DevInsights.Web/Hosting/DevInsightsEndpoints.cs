using DevInsights.Web.Components;
using DevInsights.Web.Security;

namespace DevInsights.Web.Hosting;

/// <summary>The app's middleware and endpoints, in order.</summary>
public static class DevInsightsEndpoints
{
    public static WebApplication MapDevInsights(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapOpenApi();
        app.MapStaticAssets();
        app.MapAccountEndpoints();

        // Feature APIs (one line each).
        app.MapSessionsApi();
        app.MapAdministrationApi();
        app.MapHierarchyApi();
        app.MapIngestionApi();
        app.MapTeamApi();
        app.MapDashboardExports();
        app.MapOtlpApi();
        app.MapIdentityAdministrationApi();
        app.MapJobsEndpoints();
        app.MapCostsEndpoints();
        app.MapRollupsApi();

        // Our SecurityHeaders middleware sends the full CSP (with frame-ancestors 'none'); Blazor's own would replace it.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}
