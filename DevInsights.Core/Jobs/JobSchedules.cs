using Microsoft.Extensions.Configuration;

namespace DevInsights.Core.Jobs;

/// <summary>Where a job's schedule comes from: <c>DevInsights:Jobs:{Name}:Schedule</c> (a Quartz cron expression; an empty
/// value runs the job only on demand), else the job's <see cref="IDevInsightsJob.DefaultSchedule"/>.</summary>
public static class JobSchedules
{
    public static string KeyOf(string jobName) => $"DevInsights:Jobs:{jobName}:Schedule";

    public static string? ScheduleOf(JobInfo job, IConfiguration configuration)
    {
        var configured = configuration[KeyOf(job.Name)];
        if (configured is null) return job.DefaultSchedule;
        return string.IsNullOrWhiteSpace(configured) ? null : configured.Trim();
    }
}
