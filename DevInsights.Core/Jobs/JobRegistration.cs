using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Core.Jobs;

public static class JobRegistration
{
    /// <summary>Registers a job; the scheduler, the Jobs page, the API and the admin commands find every job
    /// through <c>IEnumerable&lt;IDevInsightsJob&gt;</c>.</summary>
    public static IServiceCollection AddDevInsightsJob<TJob>(this IServiceCollection services)
        where TJob : class, IDevInsightsJob
    {
        services.AddScoped<TJob>();
        services.AddScoped<IDevInsightsJob>(sp => sp.GetRequiredService<TJob>());
        return services;
    }
}
