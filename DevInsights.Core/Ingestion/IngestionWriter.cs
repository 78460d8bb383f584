using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DevInsights.Core.Ingestion;

/// <summary>The one writer of events: drains <see cref="IngestionQueue"/>, merges waiting batches into one
/// transaction (up to <c>DevInsights:Ingestion:MaxEventsPerTransaction</c> events), and completes each batch's
/// caller only after that transaction committed — "2xx means durably committed".</summary>
/// <remarks>
/// A failed merged transaction is retried batch by batch, so one bad batch never fails its neighbours, and a
/// lone failed batch is retried once on a fresh connection (a session deleted behind the cache heals that way).
/// A batch that still fails is answered with <see cref="IngestionFailedException"/> (or
/// <see cref="SessionOwnershipException"/>); the writer keeps running. Stopping refuses new batches and waits until
/// the queued ones are committed.
/// </remarks>
public sealed class IngestionWriter : BackgroundService
{
    private readonly IngestionQueue _queue;
    private readonly DatabaseConnections _connections;
    private readonly IngestionSessionCache _sessions;
    private readonly Pricing.PriceBook _prices;
    private readonly IIngestionNotifier _notifier;
    private readonly TimeProvider _clock;
    private readonly ILogger<IngestionWriter> _logger;
    private readonly int _maxEventsPerTransaction;
    private IngestionStore? _store;
    private long _transactions;

    public IngestionWriter(IngestionQueue queue, DatabaseConnections connections, IngestionSessionCache sessions, IIngestionNotifier notifier,
        Pricing.PriceBook prices, TimeProvider clock, IOptions<DevInsightsOptions> options, ILogger<IngestionWriter> logger)
    {
        _queue = queue;
        _connections = connections;
        _sessions = sessions;
        _prices = prices;
        _notifier = notifier;
        _clock = clock;
        _logger = logger;
        _maxEventsPerTransaction = options.Value.Ingestion.MaxEventsPerTransaction;
    }

    /// <summary>Transactions committed since start (merged groups, not batches).</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>Awaited before each transaction; tests use it to hold the writer still (a full queue, merging).</summary>
    internal Func<Task>? BeforeTransaction { get; set; }

    /// <summary>Drops a session from the writer's cache: call after deleting a session or moving it to another
    /// project, machine or workspace, so the next events look it up again.</summary>
    public void ForgetSession(string clientSessionId) => _sessions.Forget(clientSessionId);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Complete();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _store?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store = null;
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not bound to stoppingToken: the loop ends when the queue is completed and drained, so shutdown loses nothing.
        var reader = _queue.Reader;
        PendingBatch? carried = null;
        var group = new List<PendingBatch>();
        while (carried is not null || await reader.WaitToReadAsync(CancellationToken.None))
        {
            group.Clear();
            var events = 0;
            if (carried is not null)
            {
                group.Add(carried);
                events = carried.Batch.Events.Count;
                carried = null;
            }
            while (reader.TryRead(out var next))
            {
                if (group.Count > 0 && events + next.Batch.Events.Count > _maxEventsPerTransaction)
                {
                    carried = next;
                    break;
                }
                group.Add(next);
                events += next.Batch.Events.Count;
            }
            if (group.Count > 0) await WriteGroupAsync(group);
        }
        if (_store is not null) await _store.DisposeAsync();
        _store = null;
    }

    private async Task WriteGroupAsync(List<PendingBatch> group)
    {
        GroupOutcome outcome;
        try
        {
            outcome = await WriteAsync(group);
        }
        catch (SessionOwnershipException ex) when (group.Count == 1)
        {
            group[0].Completion.TrySetException(ex);
            return;
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Ingestion transaction of {Batches} batch(es) failed; retrying them one by one", group.Count);
            foreach (var pending in group) await WriteAloneAsync(pending);
            return;
        }
        Complete(group, outcome);
    }

    private async Task WriteAloneAsync(PendingBatch pending)
    {
        try
        {
            Complete([pending], await WriteAsync([pending]));
        }
        catch (SessionOwnershipException ex)
        {
            pending.Completion.TrySetException(ex);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Ingestion of a batch of {Events} event(s) from {Source} failed", pending.Batch.Events.Count, pending.Batch.Source);
            pending.Completion.TrySetException(new IngestionFailedException("The events could not be stored; nothing of the batch was committed.", ex));
        }
    }

    private async Task<GroupOutcome> WriteAsync(List<PendingBatch> group)
    {
        if (BeforeTransaction is { } gate) await gate();
        _store ??= IngestionStore.Create(_connections, _sessions, _prices, _clock);
        var outcome = await _store.WriteAsync(group.Select(p => p.Batch).ToList(), CancellationToken.None);
        Interlocked.Increment(ref _transactions);
        return outcome;
    }

    private void Complete(IReadOnlyList<PendingBatch> group, GroupOutcome outcome)
    {
        for (var i = 0; i < group.Count; i++) group[i].Completion.TrySetResult(outcome.Results[i]);
        if (outcome.Committed is { } committed) _notifier.Publish(committed);
    }
}
