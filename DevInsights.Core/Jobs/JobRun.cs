namespace DevInsights.Core.Jobs;

/// <summary>One run of a job, as the Jobs page and the jobs API show it. Written when the run starts (status
/// <see cref="JobRunStatus.Running"/>) and completed when it ends.</summary>
public sealed class JobRun
{
    public long Id { get; set; }
    public required string JobName { get; set; }
    /// <summary><c>schedule</c>, <c>page</c>, <c>api</c>, <c>cli</c> or <c>manual</c>.</summary>
    public required string Trigger { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public required string Status { get; set; }
    public string? Summary { get; set; }
    /// <summary>The outcome's named figures as a JSON object.</summary>
    public string? CountsJson { get; set; }
    public string? Error { get; set; }
}

public static class JobRunStatus
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    /// <summary>The host stopped during the run.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>The process stopped hard during the run (killed, crashed, power lost): found still running at the next start.</summary>
    public const string Interrupted = "interrupted";
}
