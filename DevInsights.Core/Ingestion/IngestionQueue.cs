using System.Threading.Channels;
using DevInsights.Core.Configuration;
using Microsoft.Extensions.Options;

namespace DevInsights.Core.Ingestion;

/// <summary>The bounded queue in front of the single ingestion writer. Every transport submits here.</summary>
public sealed class IngestionQueue : IIngestionQueueMetrics
{
    /// <summary>What a refused caller should wait: the writer drains a full queue in about that time.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly Channel<PendingBatch> _channel;
    private volatile bool _closed;

    public IngestionQueue(IOptions<DevInsightsOptions> options)
    {
        Capacity = options.Value.Ingestion.QueueCapacity;
        _channel = Channel.CreateBounded<PendingBatch>(new BoundedChannelOptions(Capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Most batches that may wait for the writer.</summary>
    public int Capacity { get; }

    /// <summary>Batches waiting for the writer (not counting the group being written).</summary>
    public int Count => _channel.Reader.Count;

    int IIngestionQueueMetrics.Depth => Count;

    internal ChannelReader<PendingBatch> Reader => _channel.Reader;

    /// <summary>Queues <paramref name="batch"/> and completes once its transaction has committed.</summary>
    /// <remarks>Never waits for room: a full queue throws at once so the caller can answer 429. Cancelling only
    /// stops waiting — a queued batch is still written.</remarks>
    /// <exception cref="IngestionQueueFullException">The queue is full.</exception>
    /// <exception cref="IngestionFailedException">Its transaction failed, or the writer is shutting down.</exception>
    /// <exception cref="SessionOwnershipException">The batch adds to another developer's session.</exception>
    public Task<IngestResult> SubmitAsync(IngestBatch batch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Events.Count == 0) return Task.FromResult(new IngestResult(0, 0));
        var pending = new PendingBatch(batch);
        if (!_channel.Writer.TryWrite(pending))
            throw _closed ? new IngestionFailedException("The server is shutting down; retry later.") : new IngestionQueueFullException(RetryAfter);
        return ct.CanBeCanceled ? pending.Completion.Task.WaitAsync(ct) : pending.Completion.Task;
    }

    /// <summary>Refuses new batches; the writer drains what is queued and then stops.</summary>
    internal void Complete()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }
}

/// <summary>A queued batch and the caller waiting for its commit.</summary>
internal sealed class PendingBatch(IngestBatch batch)
{
    public IngestBatch Batch { get; } = batch;

    // Continuations run off the writer's loop, so answering callers never delays the next transaction.
    public TaskCompletionSource<IngestResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
