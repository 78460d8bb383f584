namespace DevInsights.Core.Ingestion;

/// <summary>The writer's queue is full: the caller should answer 429 with Retry-After.</summary>
public sealed class IngestionQueueFullException(TimeSpan retryAfter)
    : Exception("The ingestion queue is full; retry later.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
