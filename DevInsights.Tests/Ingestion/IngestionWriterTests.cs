using System.Net;
using DevInsights.Core.Configuration;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Ingestion;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Ingestion.IngestionTestKit;

namespace DevInsights.Tests.Ingestion;

/// <summary>The queue and the writer: backpressure, merging, failure isolation, shutdown and notifications. The writer
/// is held still with its test gate, never with sleeps.</summary>
public sealed class IngestionWriterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Holds the writer before each transaction until released; <see cref="Entered"/> says it is holding one.</summary>
    private sealed class Gate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Gate(IngestionWriter writer) => writer.BeforeTransaction = async () =>
        {
            _entered.TrySetResult();
            await _release.Task;
        };

        public Task Entered => _entered.Task.WaitAsync(Timeout);

        public void Release() => _release.TrySetResult();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (!condition()) await Task.Delay(5, cts.Token);
    }

    private static IngestBatch Batch(string sid, long projectId, int events, string prefix, string? developerId = null) => new(
        "api",
        Enumerable.Range(0, events).Select(i => new IngestEvent
        {
            ClientSessionId = sid,
            Timestamp = new DateTime(2026, 3, 14, 9, 0, 0, DateTimeKind.Utc).AddSeconds(i),
            Type = "api_request",
            ClientEventId = $"{prefix}-{i}",
            InputTokens = 10,
        }).ToList(),
        new Dictionary<string, SessionContext> { [sid] = new("codex", developerId, projectId, null, null) });

    private static async Task<long> UnassignedIdAsync(DevInsightsFactory app) =>
        await app.Services.GetRequiredService<UnassignedProject>().GetIdAsync();

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_full_queue_answers_429_with_Retry_After_and_stores_nothing_of_that_batch(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider, new Dictionary<string, string?> { ["DevInsights:Ingestion:QueueCapacity"] = "1" });
        var (client, userId, _) = await app.CreateUserClientAsync();
        var queue = app.Services.GetRequiredService<IngestionQueue>();
        var gate = new Gate(app.Services.GetRequiredService<IngestionWriter>());
        var (held, queued, refused) = (NewSessionId(), NewSessionId(), NewSessionId());

        var first = client.PostEventsAsync(Turn(held, DateTime.UtcNow, "a"));
        await gate.Entered; // the writer holds the first batch
        var second = client.PostEventsAsync(Turn(queued, DateTime.UtcNow, "b"));
        await WaitUntilAsync(() => queue.Count == 1); // the second fills the queue
        var response = await client.PostEventsAsync(Turn(refused, DateTime.UtcNow, "c"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(1, (int)problem["retryAfterSeconds"]!);
        gate.Release();
        Assert.Equal(5, (await (await first).ReadAcceptedAsync()).Accepted);
        Assert.Equal(5, (await (await second).ReadAcceptedAsync()).Accepted);
        Assert.Null(await app.SessionAsync(refused));
        Assert.Equal((2, 10, 2), await app.FootprintAsync(userId));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Waiting_batches_are_merged_and_a_failing_one_does_not_fail_its_neighbours(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var queue = app.Services.GetRequiredService<IngestionQueue>();
        var writer = app.Services.GetRequiredService<IngestionWriter>();
        var projectId = await UnassignedIdAsync(app);
        var gate = new Gate(writer);
        var sids = Enumerable.Range(0, 5).Select(_ => NewSessionId()).ToList();

        var held = queue.SubmitAsync(Batch(sids[0], projectId, 3, "a"));
        await gate.Entered;
        var merged = new[] { queue.SubmitAsync(Batch(sids[1], projectId, 4, "b")), queue.SubmitAsync(Batch(sids[2], projectId, 5, "c")) };
        var transactionsBefore = writer.Transactions;
        gate.Release();
        Assert.Equal(new IngestResult(3, 0), await held.WaitAsync(Timeout));
        Assert.Equal([new IngestResult(4, 0), new IngestResult(5, 0)], await Task.WhenAll(merged).WaitAsync(Timeout));
        Assert.Equal(transactionsBefore + 2, writer.Transactions); // the held batch, then the two waiting ones together

        // A batch whose session would point at a missing project fails its transaction (a real constraint violation);
        // the batch merged with it is retried alone and committed.
        var blocker = new Gate(writer);
        var next = queue.SubmitAsync(Batch(sids[3], projectId, 1, "d"));
        await blocker.Entered;
        var bad = queue.SubmitAsync(Batch(NewSessionId(), projectId: 987_654_321, 2, "bad"));
        var good = queue.SubmitAsync(Batch(sids[4], projectId, 6, "e"));
        blocker.Release();
        await next.WaitAsync(Timeout);
        var failure = await Assert.ThrowsAsync<IngestionFailedException>(() => bad.WaitAsync(Timeout));
        Assert.NotNull(failure.InnerException);
        Assert.Equal(new IngestResult(6, 0), await good.WaitAsync(Timeout));

        // The writer keeps going, and nothing of the failed batch exists.
        Assert.Equal(new IngestResult(0, 6), await queue.SubmitAsync(Batch(sids[4], projectId, 6, "e")).WaitAsync(Timeout));
        await using var db = await app.DbAsync();
        Assert.Equal(0, await db.Events.CountAsync(e => e.ClientEventId!.StartsWith("bad-")));
        var counts = await Task.WhenAll(sids.Select(async s => (await app.SessionAsync(s))!.EventCount));
        Assert.Equal([3L, 4L, 5L, 1L, 6L], counts);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Stopping_commits_every_queued_batch_then_refuses_new_ones(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var queue = app.Services.GetRequiredService<IngestionQueue>();
        var writer = app.Services.GetRequiredService<IngestionWriter>();
        var projectId = await UnassignedIdAsync(app);
        var gate = new Gate(writer);
        var sids = Enumerable.Range(0, 4).Select(_ => NewSessionId()).ToList();

        var pending = new List<Task<IngestResult>> { queue.SubmitAsync(Batch(sids[0], projectId, 2, "a")) };
        await gate.Entered;
        pending.AddRange(sids.Skip(1).Select((s, i) => queue.SubmitAsync(Batch(s, projectId, 2, $"q{i}"))));
        var stopping = writer.StopAsync(CancellationToken.None);
        Assert.False(stopping.IsCompleted);
        await Assert.ThrowsAsync<IngestionFailedException>(() => queue.SubmitAsync(Batch(NewSessionId(), projectId, 1, "late")));

        gate.Release();
        await stopping.WaitAsync(Timeout);
        Assert.All(await Task.WhenAll(pending), r => Assert.Equal(new IngestResult(2, 0), r));
        foreach (var sid in sids) Assert.Equal(2L, (await app.SessionAsync(sid))!.EventCount);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_transaction_failure_answers_503_with_Retry_After_and_the_next_batch_succeeds(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (client, userId, _) = await app.CreateUserClientAsync();
        var writer = app.Services.GetRequiredService<IngestionWriter>();
        var sid = NewSessionId();
        // The database goes away for the length of one batch (both of its attempts).
        writer.BeforeTransaction = () => throw new TimeoutException("database unreachable");

        var response = await client.PostEventsAsync(Turn(sid, DateTime.UtcNow, "a"));
        await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal((0, 0, 0), await app.FootprintAsync(userId));

        writer.BeforeTransaction = null;
        Assert.Equal(5, (await (await client.PostEventsAsync(Turn(sid, DateTime.UtcNow, "a"))).ReadAcceptedAsync()).Accepted);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_session_deleted_behind_the_cache_is_created_again(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var cache = app.Services.GetRequiredService<IngestionSessionCache>();
        var sid = NewSessionId();
        await (await client.PostEventsAsync(Turn(sid, DateTime.UtcNow, "a"))).ReadAcceptedAsync();
        Assert.True(cache.TryGet(sid, out var first));

        // Deleted without telling the writer: its first attempt hits the foreign key, the retry recreates the session.
        await using (var db = await app.DbAsync()) await db.Sessions.Where(s => s.ClientSessionId == sid).ExecuteDeleteAsync();
        Assert.Equal(5, (await (await client.PostEventsAsync(Turn(sid, DateTime.UtcNow, "a"))).ReadAcceptedAsync()).Accepted);
        var recreated = (await app.SessionAsync(sid))!;
        Assert.NotEqual(first.Id, recreated.Id);
        Assert.Equal(5L, recreated.EventCount);

        // Told properly, the next batch looks the session up again at once.
        await using (var db = await app.DbAsync()) await db.Sessions.Where(s => s.ClientSessionId == sid).ExecuteDeleteAsync();
        app.Services.GetRequiredService<IngestionWriter>().ForgetSession(sid);
        Assert.False(cache.TryGet(sid, out _));
        Assert.Equal(5, (await (await client.PostEventsAsync(Turn(sid, DateTime.UtcNow, "a"))).ReadAcceptedAsync()).Accepted);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Subscribers_hear_of_new_events_after_commit_and_a_failing_one_changes_nothing(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var notifier = app.Services.GetRequiredService<IIngestionNotifier>();
        var heard = new List<IngestionCommitted>();
        using var failing = notifier.Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        var subscription = notifier.Subscribe(c => { lock (heard) heard.Add(c); });
        var sid = NewSessionId();

        Assert.Equal(5, (await (await client.PostEventsAsync(Turn(sid, DateTime.UtcNow, "a"))).ReadAcceptedAsync()).Accepted);
        await WaitUntilAsync(() => { lock (heard) return heard.Count == 1; });
        var session = (await app.SessionAsync(sid))!;
        var committed = heard.Single();
        Assert.Equal([session.Id], committed.SessionIds);
        Assert.Equal([session.ProjectId], committed.ProjectIds);
        Assert.Equal((5, "api"), (committed.EventCount, committed.Sources.Single()));

        // Duplicates change nothing, so nothing is announced; after disposal nothing is heard either.
        Assert.Equal(5, (await (await client.PostEventsAsync(Turn(sid, DateTime.UtcNow, "a"))).ReadAcceptedAsync()).Duplicates);
        subscription.Dispose();
        Assert.Equal(5, (await (await client.PostEventsAsync(Turn(sid, DateTime.UtcNow, "b"))).ReadAcceptedAsync()).Accepted);
        Assert.Single(heard);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Another_developers_session_is_refused_unless_the_context_adopts_existing_sessions(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var queue = app.Services.GetRequiredService<IngestionQueue>();
        var projectId = await UnassignedIdAsync(app);
        var (_, owner, _) = await app.CreateUserClientAsync();
        var (_, other, _) = await app.CreateUserClientAsync();
        var sid = NewSessionId();
        await queue.SubmitAsync(Batch(sid, projectId, 2, "a", owner)).WaitAsync(Timeout);

        var refused = await Assert.ThrowsAsync<SessionOwnershipException>(() => queue.SubmitAsync(Batch(sid, projectId, 2, "b", other)).WaitAsync(Timeout));
        Assert.Equal([sid], refused.ClientSessionIds);
        var batch = Batch(sid, projectId, 2, "b", other);
        var adopting = batch with { Sessions = new Dictionary<string, SessionContext> { [sid] = batch.Sessions[sid] with { AdoptExisting = true } } };
        Assert.Equal(new IngestResult(2, 0), await queue.SubmitAsync(adopting).WaitAsync(Timeout));

        var session = (await app.SessionAsync(sid))!;
        Assert.Equal((owner, 4L), (session.DeveloperId, session.EventCount)); // the session keeps its developer
    }
}
