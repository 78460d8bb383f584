namespace DevInsights.Core.Sessions;

/// <summary>Per-session tool counters, kept up to date as event batches commit.</summary>
public sealed class ToolUsage
{
    public long SessionId { get; set; }
    public required string ToolName { get; set; }
    public long Calls { get; set; }
    public long Successes { get; set; }
    public long Errors { get; set; }
}
