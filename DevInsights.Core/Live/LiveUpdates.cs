using DevInsights.Core.Ingestion;
using Microsoft.Extensions.Logging;

namespace DevInsights.Core.Live;

/// <summary>Feeds every live component from the ingestion writer's commits: components subscribe with a filter and
/// get a throttled callback (coalesced, at least <see cref="MinimumInterval"/> apart, outside any lock), and dispose
/// the subscription when they go away. The writer's own notifier calls handlers inline on its loop, so this layer
/// also keeps slow pages from delaying the next transaction.</summary>
public sealed class LiveUpdates : IDisposable
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);

    private readonly ILogger<LiveUpdates> _logger;
    private readonly TimeProvider _clock;
    private readonly IDisposable? _source;
    private readonly Lock _lock = new();
    private ThrottledSubscription[] _subscriptions = [];

    public LiveUpdates(ILogger<LiveUpdates> logger, TimeProvider clock, IIngestionNotifier? source = null)
    {
        _logger = logger;
        _clock = clock;
        _source = source?.Subscribe(Publish);
    }

    public int SubscriberCount => Volatile.Read(ref _subscriptions).Length;

    /// <summary>Registers <paramref name="callback"/> for changes that match <paramref name="filter"/> (all when null).</summary>
    public IDisposable Subscribe(Func<IngestionCommitted, bool>? filter, Func<IReadOnlyList<IngestionCommitted>, Task> callback, TimeSpan? minimumInterval = null)
    {
        var subscription = new ThrottledSubscription(this, filter, callback, minimumInterval ?? MinimumInterval, _clock, _logger);
        lock (_lock) _subscriptions = [.. _subscriptions, subscription];
        return subscription;
    }

    /// <summary>Never throws and never waits for subscribers: ingestion must not slow down because a page is slow.</summary>
    public void Publish(IngestionCommitted change)
    {
        foreach (var subscription in Volatile.Read(ref _subscriptions))
            subscription.Offer(change);
    }

    public void Dispose() => _source?.Dispose();

    private void Remove(ThrottledSubscription subscription)
    {
        lock (_lock) _subscriptions = _subscriptions.Where(s => s != subscription).ToArray();
    }

    /// <summary>Coalesces changes and delivers them from the thread pool, one delivery at a time, outside any lock.</summary>
    private sealed class ThrottledSubscription(
        LiveUpdates owner, Func<IngestionCommitted, bool>? filter, Func<IReadOnlyList<IngestionCommitted>, Task> callback,
        TimeSpan interval, TimeProvider clock, ILogger logger) : IDisposable
    {
        private readonly Lock _gate = new();
        private List<IngestionCommitted> _pending = [];
        private bool _scheduled;
        private bool _disposed;
        private long _lastDelivery = long.MinValue;

        public void Offer(IngestionCommitted change)
        {
            if (_disposed) return;
            try
            {
                if (filter is not null && !filter(change)) return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A live-update filter failed; the change is skipped for that subscriber");
                return;
            }
            lock (_gate)
            {
                _pending.Add(change);
                if (_scheduled) return;
                _scheduled = true;
            }
            _ = DeliverAsync();
        }

        private async Task DeliverAsync()
        {
            var since = clock.GetElapsedTime(_lastDelivery == long.MinValue ? 0 : _lastDelivery);
            if (_lastDelivery != long.MinValue && since < interval)
                await Task.Delay(interval - since, clock);

            List<IngestionCommitted> batch;
            lock (_gate)
            {
                batch = _pending;
                _pending = [];
            }
            _lastDelivery = clock.GetTimestamp();
            try
            {
                if (!_disposed && batch.Count > 0) await callback(batch);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A live-update subscriber failed");
            }
            finally
            {
                bool again;
                lock (_gate)
                {
                    again = _pending.Count > 0 && !_disposed;
                    _scheduled = again;
                }
                if (again) _ = DeliverAsync();
            }
        }

        public void Dispose()
        {
            _disposed = true;
            owner.Remove(this);
        }
    }
}
