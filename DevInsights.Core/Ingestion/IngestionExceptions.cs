namespace DevInsights.Core.Ingestion;

/// <summary>The batch was not stored because its transaction failed (or the writer is shutting down); nothing of
/// it was committed and the caller may retry (the API answers 503 with Retry-After).</summary>
public sealed class IngestionFailedException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What a client should wait before retrying.</summary>
    public TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(5);
}

/// <summary>The batch names sessions that belong to another developer; nothing of it was stored.</summary>
public sealed class SessionOwnershipException(IReadOnlyList<string> clientSessionIds)
    : Exception($"Session(s) {string.Join(", ", clientSessionIds)} belong to another developer.")
{
    public IReadOnlyList<string> ClientSessionIds { get; } = clientSessionIds;
}
