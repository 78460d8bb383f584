using DevInsights.Core.Jobs;
using DevInsights.Web.Api;
using DevInsights.Web.Jobs;
using Quartz;

namespace DevInsights.Web.Hosting;

/// <summary>The job scheduler: Quartz (in-memory, one adapter job per registered <see cref="IDevInsightsJob"/>), the
/// runner shared by the schedule, the Jobs page, the jobs API and the admin commands.</summary>
public static class JobsRegistration
{
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddSingleton<JobRunner>();
        services.AddSingleton<JobsOverview>();
        services.AddTransient<QuartzJobAdapter>();
        // Several hosts may run in one process (tests, a Kestrel host beside a test server): Quartz keeps schedulers in a
        // process-wide registry by instance name, so each host needs its own.
        services.AddQuartz(q => q.ConfigureScheduler(o => o.InstanceName = "devinsights-" + Guid.NewGuid().ToString("N")));
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddHostedService<JobScheduler>();
        return services;
    }

    public static IEndpointRouteBuilder MapJobsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapJobsApi();
        return app;
    }
}
