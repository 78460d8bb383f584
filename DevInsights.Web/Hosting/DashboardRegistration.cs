using DevInsights.Core.Dashboard;
using DevInsights.Web.Api;
using DevInsights.Web.Components.Pages.Shared;
using Radzen;

namespace DevInsights.Web.Hosting;

/// <summary>The dashboard feature: its queries, the rollup rebuilder, the theme cookie, and the CSV exports.</summary>
public static class DashboardRegistration
{
    public const string LightTheme = "material";
    public const string DarkTheme = "material-dark";
    public const string ThemeCookie = "devinsights.theme";

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        // Stateless over IDbContextFactory: one instance serves every circuit.
        services.AddSingleton<DailyUsageRebuilder>();
        services.AddSingleton<UsageRollup>();
        services.AddSingleton<ActivityQueries>();
        services.AddSingleton<FilterOptions>();
        services.AddSingleton<DevInsights.Web.Components.Pages.Places.PlaceQuery>();
        services.AddSingleton<DevInsights.Web.Components.Pages.Projects.ProjectsQuery>();
        services.AddSingleton<DevInsights.Web.Components.Pages.Projects.ProjectDetailQuery>();
        services.AddSingleton<DevInsights.Web.Components.Pages.Me.MeQuery>();
        services.AddSingleton<DevInsights.Web.Components.Pages.Team.TeamQuery>();
        services.AddSingleton<DevInsights.Web.Components.Pages.Live.LiveFeedQuery>();
        services.AddSingleton<DevInsights.Web.Components.Pages.Sessions.SessionTimelineQuery>();
        services.AddSingleton<DevInsights.Web.Components.Pages.Overview.OverviewQuery>();
        services.AddRadzenCookieThemeService(o =>
        {
            o.Name = ThemeCookie;
            o.Duration = TimeSpan.FromDays(365);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapDashboardExports(this IEndpointRouteBuilder app)
    {
        app.MapExports();
        return app;
    }
}
