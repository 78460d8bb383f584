namespace DevInsights.Core.Jobs;

/// <summary>One kind of scheduled background work (provider usage polling, rollups, export, retention).
/// The scheduler (Quartz) runs it on its configured schedule, never two runs of the same job at once; the Jobs
/// page, <c>POST /api/v1/admin/jobs/{name}/run</c> and <c>admin run-job</c> run it on demand.</summary>
/// <remarks>Jobs are registered with <see cref="JobRegistration.AddDevInsightsJob{TJob}"/> and resolved from a
/// fresh DI scope for each run, so they may take scoped services.</remarks>
public interface IDevInsightsJob
{
    /// <summary>Stable kebab-case name used in URLs, configuration (<c>DevInsights:Jobs:{Name}:Schedule</c>) and
    /// the admin command, e.g. <c>openai-usage</c>, <c>rollups</c>.</summary>
    string Name { get; }

    /// <summary>One line for the Jobs page.</summary>
    string Description { get; }

    /// <summary>The Quartz cron expression used when configuration names none; <c>null</c> runs only on demand.</summary>
    string? DefaultSchedule { get; }

    /// <summary>Why the job is off (e.g. "no admin key configured"), or <c>null</c> when it may run. A disabled
    /// job is listed but neither scheduled nor runnable.</summary>
    string? DisabledReason { get; }

    /// <summary>Does the work. Throwing marks the run failed with the exception's message; cancellation means
    /// the host is stopping.</summary>
    Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct);
}

/// <summary>What a run did, shown on the Jobs page and returned by the run-now API.</summary>
/// <param name="Summary">One sentence, e.g. "Rolled up 12 hourly buckets (40,211 events)".</param>
/// <param name="Counts">Named figures of the run, e.g. <c>{"buckets": 12, "events": 40211}</c>.</param>
public sealed record JobOutcome(string Summary, IReadOnlyDictionary<string, long>? Counts = null);

/// <summary>How a run was started, and where it reports progress.</summary>
public sealed class JobRunContext(string trigger, DateTimeOffset startedAt, IProgress<JobProgress>? progress = null)
{
    /// <summary><c>schedule</c>, <c>page</c>, <c>api</c> or <c>cli</c>.</summary>
    public string Trigger { get; } = trigger;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public IProgress<JobProgress> Progress { get; } = progress ?? new Progress<JobProgress>();

    /// <summary>A context for tests and direct calls.</summary>
    public static JobRunContext Manual(TimeProvider? clock = null) => new("manual", (clock ?? TimeProvider.System).GetUtcNow());
}

/// <summary>Progress of a long run: <paramref name="Fraction"/> in [0, 1] when known.</summary>
public readonly record struct JobProgress(double? Fraction, string Message);
