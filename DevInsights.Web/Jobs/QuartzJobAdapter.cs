using DevInsights.Core.Jobs;
using Quartz;

namespace DevInsights.Web.Jobs;

/// <summary>The one Quartz job: runs the <see cref="IDevInsightsJob"/> its key names through <see cref="JobRunner"/>,
/// which resolves it in a fresh scope, records the run and refuses a second concurrent run (a run started from the page,
/// API or command line makes a scheduled fire skip).</summary>
[DisallowConcurrentExecution]
public sealed class QuartzJobAdapter(JobRunner runner, ILogger<QuartzJobAdapter> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var name = context.JobDetail.Key.Name;
        try
        {
            await runner.RunAsync(name, "schedule", cancellationToken);
        }
        catch (JobAlreadyRunningException)
        {
            logger.LogInformation("Scheduled run of {Job} skipped: a run is already in progress", name);
        }
        catch (JobDisabledException ex)
        {
            logger.LogInformation("Scheduled run of {Job} skipped: {Reason}", name, ex.Message);
        }
    }
}
