using DevInsights.Core.Ingestion;
using DevInsights.Core.Live;
using Microsoft.Extensions.Logging.Abstractions;

namespace DevInsights.Tests.Live;

public sealed class LiveUpdatesTests
{
    private static IngestionCommitted Change(long session, long project = 1, int events = 1) =>
        new([session], [project], events, ["api"], DateTime.UtcNow);

    [Fact]
    public async Task Bursts_are_coalesced_and_callbacks_are_at_least_the_interval_apart()
    {
        var updates = new LiveUpdates(NullLogger<LiveUpdates>.Instance, TimeProvider.System);
        var deliveries = new List<int>();
        var allSeen = new TaskCompletionSource();
        var received = 0;
        using var subscription = updates.Subscribe(null, batch =>
        {
            lock (deliveries) deliveries.Add(batch.Count);
            if (Interlocked.Add(ref received, batch.Sum(c => c.EventCount)) == 200) allSeen.TrySetResult();
            return Task.CompletedTask;
        });

        var window = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            updates.Publish(Change(i));
            if (i % 50 == 0) await Task.Delay(30);
        }
        await allSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = window.Elapsed;

        Assert.Equal(200, deliveries.Sum());
        // n deliveries at least the interval apart span (n - 1) intervals, all inside the window measured here. A bound on
        // the count, not on each gap: a callback's own clock reading can be late on a busy machine, the throttle's cannot.
        // Timers may fire a millisecond or so early against the stopwatch: allow 5 %.
        var most = (int)(elapsed / (LiveUpdates.MinimumInterval * 0.95)) + 1;
        Assert.True(deliveries.Count <= most, $"{deliveries.Count} deliveries in {elapsed.TotalMilliseconds:N0} ms (at most {most})");
        Assert.True(deliveries.Count < 200, $"expected coalescing, got {deliveries.Count} deliveries");
    }

    [Fact]
    public async Task Filters_select_changes_and_disposed_subscriptions_get_nothing()
    {
        var updates = new LiveUpdates(NullLogger<LiveUpdates>.Instance, TimeProvider.System);
        var mine = new List<long>();
        var got = new TaskCompletionSource();
        var subscription = updates.Subscribe(c => c.SessionIds.Contains(1), batch =>
        {
            lock (mine) mine.AddRange(batch.SelectMany(c => c.SessionIds));
            got.TrySetResult();
            return Task.CompletedTask;
        });
        updates.Publish(Change(2));
        updates.Publish(Change(1));
        await got.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([1L], mine);

        subscription.Dispose();
        Assert.Equal(0, updates.SubscriberCount);
        updates.Publish(Change(1));
        await Task.Delay(300);
        Assert.Single(mine);
    }

    [Fact]
    public async Task Commits_published_by_the_ingestion_notifier_reach_subscribers()
    {
        var notifier = new IngestionNotifier(NullLogger<IngestionNotifier>.Instance);
        using var updates = new LiveUpdates(NullLogger<LiveUpdates>.Instance, TimeProvider.System, notifier);
        var got = new TaskCompletionSource<IReadOnlyList<IngestionCommitted>>();
        using var subscription = updates.Subscribe(null, batch => { got.TrySetResult(batch); return Task.CompletedTask; });
        notifier.Publish(Change(42, events: 7));
        var batch = await got.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(7, batch.Single().EventCount);
        Assert.Equal([42L], batch.Single().SessionIds);
    }

    [Fact]
    public async Task A_failing_subscriber_does_not_affect_others_or_the_publisher()
    {
        var updates = new LiveUpdates(NullLogger<LiveUpdates>.Instance, TimeProvider.System);
        var good = new TaskCompletionSource();
        using var bad = updates.Subscribe(null, _ => throw new InvalidOperationException("boom"));
        using var ok = updates.Subscribe(null, _ => { good.TrySetResult(); return Task.CompletedTask; });
        updates.Publish(Change(3));
        await good.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
