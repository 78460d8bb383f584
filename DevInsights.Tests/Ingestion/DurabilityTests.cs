using DevInsights.Core.Configuration;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static DevInsights.Tests.Ingestion.IngestionTestKit;

namespace DevInsights.Tests.Ingestion;

/// <summary>"2xx means durably committed": the real server is killed with SIGKILL right after answering, and the
/// events are there when it comes back.</summary>
public sealed class DurabilityTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Events_answered_with_200_survive_a_SIGKILL_right_after_the_answer(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var sid = NewSessionId();
        var batch = Enumerable.Range(0, 100).SelectMany(i => Turn(sid, new DateTime(2026, 3, 14, 9, 0, 0, DateTimeKind.Utc).AddSeconds(5 * i), $"t{i}")).ToList();

        string key;
        using (var first = await WebAppProcess.StartAsync(database))
        {
            (_, key) = await WebAppProcess.CreateUserAsync(database);
            using var client = first.CreateClient(key);
            var response = await client.PostEventsAsync(batch);
            first.Kill();
            Assert.Equal(500, (await response.ReadAcceptedAsync()).Accepted);
        }

        using var second = await WebAppProcess.StartAsync(database);
        await using (var db = WebAppProcess.OpenDatabase(database))
        {
            var session = await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == sid);
            Assert.Equal(500, await db.Events.CountAsync(e => e.SessionId == session.Id));
            Assert.Equal((500L, 150_000L), (session.EventCount, session.InputTokens));
            Assert.Equal(100L, await db.ToolUsages.Where(t => t.SessionId == session.Id).SumAsync(t => t.Calls));
        }
        // The restarted server knows them too: the retry a client would send after losing the answer is all duplicates.
        using var retry = second.CreateClient(key);
        var again = await (await retry.PostEventsAsync(batch)).ReadAcceptedAsync();
        Assert.Equal((0, 500), (again.Accepted, again.Duplicates));
    }
}
