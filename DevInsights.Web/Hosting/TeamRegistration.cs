using DevInsights.Core.Identity;
using DevInsights.Core.Team;
using DevInsights.Web.Api;

namespace DevInsights.Web.Hosting;

/// <summary>Team aggregates (/api/v1/team) and the signed-in user's own settings service (/api/v1/me/settings).</summary>
public static class TeamRegistration
{
    public static IServiceCollection AddTeam(this IServiceCollection services)
    {
        // Both are stateless over IDbContextFactory: one instance serves every request and page.
        services.AddSingleton<TeamStatsService>();
        services.AddSingleton<UserSettingsService>();
        return services;
    }

    public static IEndpointRouteBuilder MapTeamApi(this IEndpointRouteBuilder app)
    {
        TeamApi.Map(app.MapGroup("/api/v1/team").RequireAuthorization().WithTags("Team"));
        return app;
    }
}
