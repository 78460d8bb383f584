using DevInsights.Core.Jobs;

namespace DevInsights.Tests.Jobs;

/// <summary>What the test jobs do, set by each test (registered as a singleton in that test's host).</summary>
public sealed class JobProbe
{
    /// <summary>Completed by the test to let a running <see cref="GateJob"/> finish.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Runs;
    public List<string> Triggers { get; } = [];
    public int MaxConcurrent;
    private int _concurrent;

    public async Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct)
    {
        var now = Interlocked.Increment(ref _concurrent);
        lock (Triggers)
        {
            Triggers.Add(context.Trigger);
            MaxConcurrent = Math.Max(MaxConcurrent, now);
        }
        var run = Interlocked.Increment(ref Runs);
        try
        {
            context.Progress.Report(new JobProgress(0.5, "half way"));
            Started.TrySetResult();
            await Release.Task.WaitAsync(ct);
            return new JobOutcome($"Run {run} done", new Dictionary<string, long> { ["run"] = run });
        }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
        }
    }
}

/// <summary>Waits for the test's <see cref="JobProbe.Release"/>; optionally on a schedule from configuration.</summary>
public sealed class GateJob(JobProbe probe) : IDevInsightsJob
{
    public string Name => "test-gate";
    public string Description => "Waits until the test releases it";
    public string? DefaultSchedule => null;
    public string? DisabledReason => null;
    public Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct) => probe.RunAsync(context, ct);
}

public sealed class FailingJob : IDevInsightsJob
{
    public string Name => "test-failing";
    public string Description => "Always fails";
    public string? DefaultSchedule => null;
    public string? DisabledReason => null;
    public Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct) => throw new InvalidOperationException("provider said no");
}

public sealed class DisabledJob : IDevInsightsJob
{
    public string Name => "test-disabled";
    public string Description => "Never runs";
    public string? DefaultSchedule => "0 0 * * * ?";
    public string? DisabledReason => "no admin key configured";
    public Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct) => throw new InvalidOperationException("must not run");
}
