using DevInsights.Core.Data;
using DevInsights.Core.Jobs;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace DevInsights.Web.Jobs;

/// <summary>A job as the Jobs page, <c>GET /api/v1/admin/jobs</c> and <c>admin list-jobs</c> show it.</summary>
public sealed record JobState(string Name, string Description, string? Schedule, bool Enabled, string? DisabledReason,
    bool Running, DateTime? RunningSince, JobProgress? Progress, JobRunView? LastRun, DateTime? NextRunAt);

/// <summary>One recorded run. <see cref="Status"/> is <c>interrupted</c> for a run a hard stop cut off (marked at the next
/// start, and shown so meanwhile when no process of this server is running it).</summary>
public sealed record JobRunView(long Id, string Trigger, string Status, DateTime StartedAt, DateTime? FinishedAt, long? DurationMs,
    string? Summary, IReadOnlyDictionary<string, long>? Counts, string? Error)
{
    public static JobRunView From(Core.Jobs.JobRunResult r) =>
        new(r.RunId, r.Trigger, r.Status, r.StartedAt, r.FinishedAt, r.DurationMs, r.Summary, r.Counts, r.Error);
}

/// <summary>Reads every job's state: registration, configured schedule and next fire time, the run in progress in this
/// process, and the last recorded run.</summary>
public sealed class JobsOverview(JobRunner runner, IDbContextFactory<DevInsightsDbContext> dbFactory, IConfiguration configuration, TimeProvider clock)
{
    public async Task<IReadOnlyList<JobState>> ListAsync(CancellationToken ct = default)
    {
        var jobs = runner.Jobs();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var lastIds = await db.Set<JobRun>().AsNoTracking().GroupBy(r => r.JobName).Select(g => g.Max(r => r.Id)).ToListAsync(ct);
        var lastRuns = (await db.Set<JobRun>().AsNoTracking().Where(r => lastIds.Contains(r.Id)).ToListAsync(ct))
            .ToDictionary(r => r.JobName, StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        return jobs.Select(job =>
        {
            var schedule = JobSchedules.ScheduleOf(job, configuration);
            var running = runner.Running(job.Name);
            var enabled = job.DisabledReason is null;
            DateTime? next = enabled && schedule is not null ? ParseCron(schedule)?.GetNextValidTimeAfter(now)?.UtcDateTime : null;
            lastRuns.TryGetValue(job.Name, out var last);
            return new JobState(job.Name, job.Description, schedule, enabled, job.DisabledReason, running is not null, running?.StartedAt,
                running?.Progress, last is null ? null : View(last, running is not null), next);
        }).ToList();
    }

    public async Task<IReadOnlyList<JobRunView>> HistoryAsync(string name, int take, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var runs = await db.Set<JobRun>().AsNoTracking().Where(r => r.JobName == name).OrderByDescending(r => r.Id).Take(take).ToListAsync(ct);
        var running = runner.Running(name);
        // Only the newest run can be the one in progress.
        return runs.Select((r, i) => View(r, i == 0 && running is not null)).ToList();
    }

    /// <summary>A Quartz cron expression, or null when <paramref name="schedule"/> is not one.</summary>
    public static CronExpression? ParseCron(string schedule)
    {
        try
        {
            return new CronExpression(schedule, TimeZoneInfo.Utc);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static JobRunView View(JobRun r, bool inProgress)
    {
        var status = r.Status == Core.Jobs.JobRunStatus.Running && !inProgress ? Core.Jobs.JobRunStatus.Interrupted : r.Status;
        var counts = r.CountsJson is null ? null : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, long>>(r.CountsJson);
        return new JobRunView(r.Id, r.Trigger, status, r.StartedAt, r.FinishedAt,
            r.FinishedAt is { } f ? (long)(f - r.StartedAt).TotalMilliseconds : null, r.Summary, counts, r.Error);
    }
}
