using DevInsights.Core.Jobs;
using DevInsights.Core.Rollups;

namespace DevInsights.Web.Hosting;

/// <summary>Rollups, exports and retention: the jobs (run by the scheduler, the Jobs page and <c>admin run-job</c>),
/// their options, the export API and the admin export page's services.</summary>
public static class RollupsRegistration
{
    public static IServiceCollection AddRollups(this IServiceCollection services)
    {
        services.AddSingleton<RollupBuilder>();
        services.AddSingleton<RollupQueries>();
        services.AddDevInsightsJob<RollupJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapRollupsApi(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
