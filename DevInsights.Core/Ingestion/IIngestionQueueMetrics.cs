namespace DevInsights.Core.Ingestion;

/// <summary>What the health endpoint reports about the ingestion writer's queue.</summary>
/// <remarks>The ingestion queue implements this and registers itself with <c>AddSingleton</c>, which wins over
/// the <see cref="NoIngestionQueueMetrics"/> default whichever registration runs first.</remarks>
public interface IIngestionQueueMetrics
{
    /// <summary>Batches accepted but not yet committed.</summary>
    int Depth { get; }
}

/// <summary>Used when the app runs without an ingestion queue: nothing can be waiting.</summary>
public sealed class NoIngestionQueueMetrics : IIngestionQueueMetrics
{
    public int Depth => 0;
}
