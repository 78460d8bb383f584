namespace DevInsights.Core.Rollups;

/// <summary>The width of a rollup bucket.</summary>
public static class RollupGrain
{
    public const string Hour = "hour";
    public const string Day = "day";
}

/// <summary>One hour or day of usage for one (project, machine, workspace, developer, client, model), summed from the
/// raw events by <see cref="RollupJob"/>; session figures (started, duration, active time, lines) sit on the row of
/// the bucket the session started in, with no model.</summary>
/// <remarks>0 stands for "no machine/workspace" and "" for "no developer/model" (key columns cannot hold NULLs).
/// Figures are defined exactly as <see cref="Dashboard.DailyUsage"/> defines them, so both agree for the same keys.</remarks>
public sealed class UsageBucket
{
    public required string Grain { get; set; }
    /// <summary>UTC start of the hour or day.</summary>
    public DateTime Bucket { get; set; }
    public long ProjectId { get; set; }
    public long MachineId { get; set; }
    public long WorkspaceId { get; set; }
    public required string DeveloperId { get; set; }
    public required string Client { get; set; }
    public required string Model { get; set; }
    public long Events { get; set; }
    public long ApiRequests { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public long CacheReadTokens { get; set; }
    public long CacheCreationTokens { get; set; }
    /// <summary>Client-reported cost (events.cost_usd; null counts as 0).</summary>
    public double CostUsd { get; set; }
    /// <summary>Sum of the events' own durations (API requests, tool runs).</summary>
    public long DurationMs { get; set; }
    /// <summary>Tool calls with a reported outcome (tool name and success set), as daily_usage counts them.</summary>
    public long ToolCalls { get; set; }
    public long ToolSuccesses { get; set; }
    public long ToolErrors { get; set; }
    public long SessionsStarted { get; set; }
    public long SessionDurationMs { get; set; }
    /// <summary>User active time reported by OTLP metrics (session_metrics.active_time_user_s).</summary>
    public double ActiveTimeS { get; set; }
    public long LinesAdded { get; set; }
    public long LinesRemoved { get; set; }
}

/// <summary>One hour or day of one tool's calls for one (project, machine, workspace, developer, client).</summary>
public sealed class ToolBucket
{
    public required string Grain { get; set; }
    public DateTime Bucket { get; set; }
    public long ProjectId { get; set; }
    public long MachineId { get; set; }
    public long WorkspaceId { get; set; }
    public required string DeveloperId { get; set; }
    public required string Client { get; set; }
    public required string ToolName { get; set; }
    public long Calls { get; set; }
    public long Successes { get; set; }
    public long Errors { get; set; }
}

/// <summary>Where the rollups job stands: every event with <see cref="EventWatermark"/> or a smaller id is in the buckets.</summary>
public sealed class RollupState
{
    public const string UsageName = "usage";

    public required string Name { get; set; }
    public long EventWatermark { get; set; }
    /// <summary>Sessions updated after this (less a safety margin) are re-rolled on the next run.</summary>
    public DateTime? SessionsCheckedAt { get; set; }
    /// <summary>Raw events before this instant were deleted by retention: their buckets are only ever added to.</summary>
    public DateTime? PurgedBefore { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A bucket range [<see cref="FromTime"/>, <see cref="ToTime"/>) of one project whose rollups no longer match the
/// raw events (a session moved out of the project): written in the transaction of that change, consumed and deleted by
/// the rollups job in the transaction that rebuilds the range.</summary>
public sealed class RollupInvalidation
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public DateTime FromTime { get; set; }
    public DateTime ToTime { get; set; }
    public DateTime CreatedAt { get; set; }
}
