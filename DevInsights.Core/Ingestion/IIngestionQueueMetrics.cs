namespace DevInsights.Core.Ingestion;

/// <summary>What the health endpoint reports about the ingestion writer's queue (implemented by <see cref="IngestionQueue"/>).</summary>
public interface IIngestionQueueMetrics
{
    /// <summary>Batches accepted but not yet committed.</summary>
    int Depth { get; }
}
