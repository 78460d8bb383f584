using DevInsights.Web.Components;

namespace DevInsights.Web.Hosting;

/// <summary>The app's middleware and endpoints, in order.</summary>
public static class DevInsightsEndpoints
{
    public static WebApplication MapDevInsights(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapOpenApi();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapIngestionApi();
        return app;
    }
}
