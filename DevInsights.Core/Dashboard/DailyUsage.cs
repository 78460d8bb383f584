namespace DevInsights.Core.Dashboard;

/// <summary>One day of usage for one (project, developer, client, model): the rollup every dashboard chart reads,
/// so charts never scan the event table.</summary>
/// <remarks>Kept up to date by the ingestion writer in the same transaction as the events it sums, and recomputed
/// from raw events by <see cref="DailyUsageRebuilder"/>. Days are UTC dates of the event timestamps.</remarks>
public sealed class DailyUsage
{
    /// <summary>Stands for "none" in <see cref="DeveloperId"/> and <see cref="Model"/>: the unique key cannot hold NULLs
    /// (NULLs never conflict, so each upsert would add a row).</summary>
    public const string None = "";

    public DateOnly Day { get; set; }
    public long ProjectId { get; set; }
    public required string DeveloperId { get; set; }
    public required string Client { get; set; }
    public required string Model { get; set; }
    public long Events { get; set; }
    /// <summary>Events of type <c>api_request</c>.</summary>
    public long ApiRequests { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public long CacheReadTokens { get; set; }
    public long CacheCreationTokens { get; set; }
    public double CostUsd { get; set; }
    /// <summary>Tool calls counted once, by the event that reports their outcome (tool name and success set).</summary>
    public long ToolCalls { get; set; }
    public long ToolErrors { get; set; }
    /// <summary>Sessions whose first event falls on this day; kept on the row with no model.</summary>
    public long SessionsStarted { get; set; }
}
