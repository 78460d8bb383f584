using Microsoft.Extensions.Logging;

namespace DevInsights.Core.Ingestion;

/// <summary>What one committed ingestion transaction changed (only transactions that stored new events).</summary>
/// <param name="SessionIds">Sessions that received new events (database ids).</param>
/// <param name="ProjectIds">Their projects.</param>
/// <param name="EventCount">New events stored (duplicates excluded).</param>
/// <param name="Sources">Transports of the merged batches ("api", "otlp", "transcript").</param>
public sealed record IngestionCommitted(
    IReadOnlyList<long> SessionIds, IReadOnlyList<long> ProjectIds, int EventCount, IReadOnlyList<string> Sources, DateTime CommittedAt);

/// <summary>Tells in-process subscribers (live views, rollups) that events were committed.</summary>
/// <remarks>Handlers run on the writer's loop after the batches' callers were answered: keep them short (hand the
/// work to your own queue or throttle) — a slow handler delays the next transaction. A throwing handler is
/// logged and never fails ingestion.</remarks>
public interface IIngestionNotifier
{
    /// <summary>Registers <paramref name="handler"/> until the returned subscription is disposed.</summary>
    IDisposable Subscribe(Action<IngestionCommitted> handler);

    void Publish(IngestionCommitted committed);
}

/// <summary>Fans every notification out to the current subscribers.</summary>
public sealed class IngestionNotifier(ILogger<IngestionNotifier> logger) : IIngestionNotifier
{
    private readonly Lock _gate = new();
    // Copy-on-write: publishing (hot) never locks or allocates; subscribing (rare) copies.
    private Action<IngestionCommitted>[] _handlers = [];

    public IDisposable Subscribe(Action<IngestionCommitted> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate) _handlers = [.. _handlers, handler];
        return new Subscription(this, handler);
    }

    public void Publish(IngestionCommitted committed)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(committed);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "An ingestion subscriber failed; ingestion goes on");
            }
        }
    }

    private void Unsubscribe(Action<IngestionCommitted> handler)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_handlers, handler);
            if (index >= 0) _handlers = [.. _handlers[..index], .. _handlers[(index + 1)..]];
        }
    }

    private sealed class Subscription(IngestionNotifier owner, Action<IngestionCommitted> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Unsubscribe(handler);
        }
    }
}
