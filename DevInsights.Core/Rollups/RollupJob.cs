using DevInsights.Core.Jobs;

namespace DevInsights.Core.Rollups;

/// <summary>The <c>rollups</c> job: every five minutes by default, folds the events stored since the last run (and the
/// sessions changed and the ranges invalidated since) into the hourly and daily buckets. See <see cref="RollupBuilder"/>.</summary>
public sealed class RollupJob(RollupBuilder builder) : IDevInsightsJob
{
    public const string JobName = "rollups";

    public string Name => JobName;
    public string Description => "Rolls new and late events up into hourly and daily buckets per project, machine, workspace, developer, client and model.";
    public string? DefaultSchedule => "0 */5 * * * ?";
    public string? DisabledReason => null;

    public async Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct)
    {
        var result = await builder.RunAsync(context.Progress, ct);
        return new JobOutcome(
            $"Rolled up {result.NewEvents:N0} new event(s), {result.ChangedSessions:N0} changed session(s) and {result.Invalidations:N0} invalidated range(s) into {result.HourRanges:N0} hourly and {result.DayRanges:N0} daily bucket range(s)",
            new Dictionary<string, long>
            {
                ["events"] = result.NewEvents,
                ["sessions"] = result.ChangedSessions,
                ["invalidations"] = result.Invalidations,
                ["hourRanges"] = result.HourRanges,
                ["dayRanges"] = result.DayRanges,
                ["watermark"] = result.Watermark,
            });
    }
}
