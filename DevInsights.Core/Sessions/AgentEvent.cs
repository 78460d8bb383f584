namespace DevInsights.Core.Sessions;

/// <summary>One thing an assistant did: a prompt, an API request, a tool decision or result, an error...</summary>
/// <remarks>Integer key: random GUID keys cost 4x insert speed on SQLite. Written by the ingestion writer
/// with prepared statements (SQLite) or binary COPY (PostgreSQL), never through the change tracker.</remarks>
public sealed class AgentEvent
{
    public long Id { get; set; }
    public long SessionId { get; set; }
    // Denormalised hierarchy ids: project/machine/workspace views filter events without joins.
    public long ProjectId { get; set; }
    public long? MachineId { get; set; }
    public long? WorkspaceId { get; set; }
    public DateTime Timestamp { get; set; }
    public required string Type { get; set; }
    public string? ToolName { get; set; }
    public string? Model { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public long CacheReadTokens { get; set; }
    public long CacheCreationTokens { get; set; }
    /// <summary>The client's own estimate when it sent one (<see cref="CostSource"/> "client"), else tokens × price ("price").</summary>
    public double? CostUsd { get; set; }
    /// <summary>Tokens × price, kept beside the client's estimate; null when the model is unpriced or there are no tokens.</summary>
    public double? ComputedCostUsd { get; set; }
    /// <summary>The price version (<see cref="Pricing.Price.Id"/>) that priced <see cref="ComputedCostUsd"/>.</summary>
    public long? PriceId { get; set; }
    /// <summary>"client", "price", or null when the event has no cost (no tokens, or unpriced).</summary>
    public string? CostSource { get; set; }
    public long? DurationMs { get; set; }
    public bool? Success { get; set; }
    public string? AttributesJson { get; set; }
    /// <summary>Where the event came from: "api", "otlp", "transcript".</summary>
    public required string Source { get; set; }
    /// <summary>The client's idempotency key; unique per session, so a retried batch never duplicates.</summary>
    public string? ClientEventId { get; set; }
    public DateTime ReceivedAt { get; set; }
}
