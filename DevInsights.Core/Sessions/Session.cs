namespace DevInsights.Core.Sessions;

/// <summary>One assistant session (a Claude Code session id, a Codex conversation id, ...).</summary>
/// <remarks>Token, cost, event and tool figures are kept equal to the sum of the session's events by the
/// ingestion writer, so lists and trees never scan the event table.</remarks>
public sealed class Session
{
    public long Id { get; set; }
    public required string ClientSessionId { get; set; }
    public long? WorkspaceId { get; set; }
    // Denormalised from the workspace so project and machine views filter sessions without a join.
    public long ProjectId { get; set; }
    public long? MachineId { get; set; }
    public string? DeveloperId { get; set; }
    public required string Client { get; set; }
    /// <summary>Models seen in the session, comma separated, in order of first use.</summary>
    public string? Models { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    public DateTime LastEventAt { get; set; }
    public long DurationMs { get; set; }
    public int MessageCount { get; set; }
    public long EventCount { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public long CacheReadTokens { get; set; }
    public long CacheCreationTokens { get; set; }
    /// <summary>Sum of the events' costs: the client's own estimate where it sent one, tokens × price otherwise.</summary>
    public double CostUsd { get; set; }
    /// <summary>Sum of tokens × price of the priced events, beside the client's figure.</summary>
    public double ComputedCostUsd { get; set; }
    /// <summary>Events with tokens that could not be priced (unknown model).</summary>
    public long UnpricedEvents { get; set; }
    public int LinesAdded { get; set; }
    public int LinesRemoved { get; set; }
    /// <summary>JSON array of strings.</summary>
    public string? TagsJson { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
