using DevInsights.Core.Jobs;
using Quartz;

namespace DevInsights.Web.Jobs;

/// <summary>At start, gives Quartz one job and one cron trigger per registered, enabled <see cref="IDevInsightsJob"/>
/// that has a schedule (configuration, else its default). A schedule that is not a valid Quartz cron expression stops
/// the start with the configuration key to fix. First, runs a hard stop left "running" are marked interrupted.</summary>
public sealed class JobScheduler(ISchedulerFactory schedulers, JobRunner runner, IConfiguration configuration, ILogger<JobScheduler> logger)
    : IHostedService
{
    public const string Group = "devinsights";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await runner.MarkInterruptedAsync(cancellationToken);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var job in runner.Jobs())
        {
            var schedule = JobSchedules.ScheduleOf(job, configuration);
            if (schedule is null) continue;
            var cron = JobsOverview.ParseCron(schedule)
                ?? throw new InvalidOperationException($"{JobSchedules.KeyOf(job.Name)}: '{schedule}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week).");
            if (job.DisabledReason is { } reason)
            {
                logger.LogInformation("Job {Job} is not scheduled: {Reason}", job.Name, reason);
                continue;
            }
            var detail = JobBuilder.Create<QuartzJobAdapter>().WithIdentity(job.Name, Group).WithDescription(job.Description).Build();
            var trigger = TriggerBuilder.Create().WithIdentity(job.Name, Group).ForJob(detail)
                .WithSchedule(CronScheduleBuilder.Create(cron).WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)).Build();
            await scheduler.ScheduleJob(detail, trigger, cancellationToken: cancellationToken);
            logger.LogInformation("Job {Job} scheduled: {Schedule}", job.Name, schedule);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
