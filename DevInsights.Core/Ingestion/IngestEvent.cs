namespace DevInsights.Core.Ingestion;

/// <summary>One validated event on its way to the writer; every transport (batch API, OTLP, transcripts)
/// converts its input to this.</summary>
public sealed record IngestEvent
{
    public required string ClientSessionId { get; init; }
    public required DateTime Timestamp { get; init; }
    public required string Type { get; init; }
    public string? ClientEventId { get; init; }
    public string? Model { get; init; }
    public string? ToolName { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheCreationTokens { get; init; }
    public double? CostUsd { get; init; }
    public long? DurationMs { get; init; }
    public bool? Success { get; init; }
    /// <summary>A JSON object, already limited and privacy-filtered.</summary>
    public string? AttributesJson { get; init; }
}

/// <summary>Where a batch's sessions belong when the writer has to create them.</summary>
/// <param name="Client">claude-code, codex, gemini-cli or other (see <see cref="Sessions.ClientKind"/>).</param>
/// <param name="ProjectId">Resolved by the hierarchy service; the Unassigned project when nothing attributes it.</param>
/// <param name="AdoptExisting">An existing session keeps its own developer instead of refusing the batch when
/// <paramref name="DeveloperId"/> differs: for telemetry attributed by identity (OTLP), where the sender's key is not the
/// session's owner by definition. Without it, adding to another developer's session throws
/// <see cref="SessionOwnershipException"/> (the batch API's rule).</param>
public sealed record SessionContext(string Client, string? DeveloperId, long ProjectId, long? MachineId, long? WorkspaceId, bool AdoptExisting = false);

/// <summary>A batch for the writer: events plus the context of sessions it may create.</summary>
/// <param name="Source">"api", "otlp" or "transcript".</param>
/// <param name="Sessions">Context per client session id, for sessions that do not exist yet.</param>
public sealed record IngestBatch(string Source, IReadOnlyList<IngestEvent> Events, IReadOnlyDictionary<string, SessionContext> Sessions);

/// <summary>What the writer committed: new rows, and rows skipped because their idempotency key was seen before.</summary>
public sealed record IngestResult(int Inserted, int Duplicates);
