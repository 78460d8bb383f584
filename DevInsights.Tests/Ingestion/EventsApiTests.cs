using System.Text.Json.Nodes;
using DevInsights.Core.Configuration;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static DevInsights.Tests.Ingestion.IngestionTestKit;

namespace DevInsights.Tests.Ingestion;

public sealed class EventsApiTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    private static readonly DateTime T0 = new(2026, 3, 14, 9, 26, 53, 589, DateTimeKind.Utc);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_batch_is_stored_with_exact_values_and_session_aggregates_equal_the_sums(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, userId, _) = await app.CreateUserClientAsync();
        var sid = NewSessionId();
        var events = Turn(sid, T0, "a");
        events[0]["client"] = "claude-code";
        events.AddRange(Turn(sid, T0.AddSeconds(40), "b", model: "claude-opus-4-5"));
        events.Add(new() { ["sessionId"] = sid, ["timestamp"] = "2026-03-14T10:27:00.250+01:00", ["type"] = "tool_result", ["toolName"] = "Read", ["success"] = false });

        var accepted = await (await client.PostEventsAsync(events)).ReadAcceptedAsync();
        Assert.Equal((11, 0), (accepted.Accepted, accepted.Duplicates));
        Assert.Empty(accepted.Rejected);

        var stored = await app.EventsAsync(sid);
        Assert.Equal(11, stored.Count);
        var request = stored.Single(e => e.ClientEventId == "a-req");
        Assert.Equal(("api_request", "claude-sonnet-4-5", "api"), (request.Type, request.Model, request.Source));
        Assert.Equal(T0.AddMilliseconds(1200), request.Timestamp);
        Assert.Equal((1500L, 320L, 12000L, 800L), (request.InputTokens, request.OutputTokens, request.CacheReadTokens, request.CacheCreationTokens));
        Assert.Equal(0.0123, request.CostUsd);
        Assert.Equal(4100L, request.DurationMs);
        Assert.Null(request.Success);
        Assert.Null(request.AttributesJson);
        var failed = stored.Single(e => e.ClientEventId is null);
        Assert.Equal(new DateTime(2026, 3, 14, 9, 27, 0, 250, DateTimeKind.Utc), failed.Timestamp); // +01:00 normalised to UTC
        Assert.Equal(("Read", false), (failed.ToolName, failed.Success));
        Assert.All(stored, e => Assert.True(e.ReceivedAt > DateTime.UtcNow.AddMinutes(-5)));

        var session = (await app.SessionAsync(sid))!;
        Assert.Equal((userId, "claude-code"), (session.DeveloperId, session.Client));
        Assert.Equal(stored.Count, session.EventCount);
        Assert.Equal(stored.Sum(e => e.InputTokens), session.InputTokens);
        Assert.Equal(3000L, session.InputTokens);
        Assert.Equal(stored.Sum(e => e.OutputTokens), session.OutputTokens);
        Assert.Equal(stored.Sum(e => e.CacheReadTokens), session.CacheReadTokens);
        Assert.Equal(stored.Sum(e => e.CacheCreationTokens), session.CacheCreationTokens);
        Assert.Equal(stored.Sum(e => e.CostUsd ?? 0), session.CostUsd, 10);
        Assert.Equal(0.0246, session.CostUsd, 10);
        Assert.Equal(T0, session.StartedAt);
        Assert.Equal(T0.AddSeconds(40).AddMilliseconds(3000), session.LastEventAt);
        Assert.Equal(43_000L, session.DurationMs);
        Assert.Equal("claude-sonnet-4-5,claude-opus-4-5", session.Models);
        Assert.Equal(4, session.MessageCount); // two prompts, two responses

        await using var db = await app.DbAsync();
        var tools = await db.ToolUsages.AsNoTracking().Where(t => t.SessionId == session.Id).OrderBy(t => t.ToolName).ToListAsync();
        Assert.Equal([("Bash", 2L, 2L, 0L), ("Read", 1L, 0L, 1L)], tools.Select(t => (t.ToolName, t.Calls, t.Successes, t.Errors)));
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == session.ProjectId);
        Assert.Equal(Project.UnassignedKey, project.Key);
        Assert.True(project.LastActivityAt >= session.LastEventAt);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Later_batches_add_to_the_aggregates_and_widen_the_time_span(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var sid = NewSessionId();
        await (await client.PostEventsAsync(Turn(sid, T0, "first"))).ReadAcceptedAsync();
        // Late delivery of an earlier turn, on another model: started_at moves back, the model list grows.
        var accepted = await (await client.PostEventsAsync(Turn(sid, T0.AddMinutes(-5), "early", model: "claude-haiku-4-5"))).ReadAcceptedAsync();
        Assert.Equal(5, accepted.Accepted);

        var session = (await app.SessionAsync(sid))!;
        var stored = await app.EventsAsync(sid);
        Assert.Equal((10L, 10), (session.EventCount, stored.Count));
        Assert.Equal(stored.Sum(e => e.InputTokens), session.InputTokens);
        Assert.Equal(stored.Sum(e => e.CostUsd ?? 0), session.CostUsd, 10);
        Assert.Equal(T0.AddMinutes(-5), session.StartedAt);
        Assert.Equal(T0.AddMilliseconds(3000), session.LastEventAt);
        Assert.Equal((long)(session.LastEventAt - session.StartedAt).TotalMilliseconds, session.DurationMs);
        Assert.Equal("claude-sonnet-4-5,claude-haiku-4-5", session.Models);
        Assert.Equal("other", session.Client);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Retrying_a_batch_reports_duplicates_and_changes_nothing(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var sid = NewSessionId();
        var batch = Turn(sid, T0, "x");
        batch.AddRange(Turn(sid, T0.AddSeconds(10), "y"));
        // The same id twice within one batch: the second is a duplicate of the first.
        batch.Add(new Dictionary<string, object?>(batch[1]) { ["inputTokens"] = 999_999 });

        var first = await (await client.PostEventsAsync(batch)).ReadAcceptedAsync();
        Assert.Equal((10, 1), (first.Accepted, first.Duplicates));
        var before = (await app.SessionAsync(sid))!;
        await using (var db = await app.DbAsync())
            Assert.Equal(2L, await db.ToolUsages.Where(t => t.SessionId == before.Id).SumAsync(t => t.Calls));

        var again = await (await client.PostEventsAsync(batch)).ReadAcceptedAsync();
        Assert.Equal((0, 11), (again.Accepted, again.Duplicates));

        var after = (await app.SessionAsync(sid))!;
        Assert.Equal(10, (await app.EventsAsync(sid)).Count);
        Assert.Equal(
            (before.EventCount, before.InputTokens, before.CostUsd, before.MessageCount, before.StartedAt, before.LastEventAt, before.Models, before.UpdatedAt),
            (after.EventCount, after.InputTokens, after.CostUsd, after.MessageCount, after.StartedAt, after.LastEventAt, after.Models, after.UpdatedAt));
        Assert.Equal(3000L, after.InputTokens);
        await using (var db = await app.DbAsync())
            Assert.Equal(2L, await db.ToolUsages.Where(t => t.SessionId == after.Id).SumAsync(t => t.Calls));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Bad_items_are_refused_with_index_field_and_reason_while_the_others_are_stored(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var sid = NewSessionId();
        var json = $$"""
            [
              {"sessionId":"{{sid}}","timestamp":"2026-03-14T09:00:00Z","type":"api_request","inputTokens":10,"eventId":"ok-1"},
              {"sessionId":"{{sid}}","timestamp":"yesterday","type":"api_request"},
              {"sessionId":"{{sid}}","timestamp":"2026-03-14T09:00:01Z","type":"api_request","outputTokens":-4},
              "not an object",
              {"sessionId":"{{sid}}","timestamp":"2026-03-14T09:00:02Z","type":"user_prompt","eventId":"ok-2","somethingNew":{"kept":"ignored"} }
            ]
            """;
        var accepted = await (await client.PostEventsAsync(json)).ReadAcceptedAsync();
        Assert.Equal((2, 0), (accepted.Accepted, accepted.Duplicates));
        Assert.Equal([(1, "timestamp"), (2, "outputTokens"), (3, "$")], accepted.Rejected.Select(r => (r.Index, r.Field)));
        Assert.All(accepted.Rejected, r => Assert.False(string.IsNullOrWhiteSpace(r.Error)));
        Assert.Equal(["ok-1", "ok-2"], (await app.EventsAsync(sid)).Select(e => e.ClientEventId));
        Assert.Equal(10L, (await app.SessionAsync(sid))!.InputTokens);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Content_is_dropped_at_the_metadata_share_level_and_kept_at_full(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (metadataClient, _, _) = await app.CreateUserClientAsync();
        var (fullClient, fullUserId, _) = await app.CreateUserClientAsync();
        await using (var db = await app.DbAsync())
            await db.Users.Where(u => u.Id == fullUserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.ShareLevel, ShareLevel.Full));

        var metadataSession = NewSessionId();
        var fullSession = NewSessionId();
        await (await metadataClient.PostEventsAsync(Turn(metadataSession, T0, "m"))).ReadAcceptedAsync();
        await (await fullClient.PostEventsAsync(Turn(fullSession, T0, "f"))).ReadAcceptedAsync();

        var metadata = (await app.EventsAsync(metadataSession)).ToDictionary(e => e.Type, e => e.AttributesJson);
        Assert.Equal("""{"prompt_length":27}""", metadata["user_prompt"]);
        Assert.Equal("""{"tool_result_size_bytes":120}""", metadata["tool_result"]);
        Assert.Equal("""{"response_length":5}""", metadata["assistant_response"]);
        Assert.DoesNotContain(metadata.Values, v => v?.Contains("health check", StringComparison.Ordinal) == true);

        var full = (await app.EventsAsync(fullSession)).ToDictionary(e => e.Type, e => e.AttributesJson);
        Assert.Equal("Add a health check endpoint", (string?)JsonNode.Parse(full["user_prompt"]!)!["prompt"]);
        Assert.Equal("""{"command":"ls"}""", (string?)JsonNode.Parse(full["tool_result"]!)!["tool_input"]);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Attributes_are_limited_in_count_and_value_length(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var sid = NewSessionId();
        var attributes = Enumerable.Range(0, 200).ToDictionary(i => $"k{i:D3}", i => (object?)(i == 0 ? new string('x', 5000) : "v"));
        await (await client.PostEventsAsync(new[] { new Dictionary<string, object?>
        {
            ["sessionId"] = sid, ["timestamp"] = "2026-03-14T09:00:00Z", ["type"] = "custom", ["attributes"] = attributes,
        } })).ReadAcceptedAsync();

        var stored = JsonNode.Parse((await app.EventsAsync(sid)).Single().AttributesJson!)!.AsObject();
        Assert.Equal(128, stored.Count);
        Assert.Equal("k127", stored.Last().Key);
        Assert.Equal(4096, ((string)stored["k000"]!).Length);
    }
}
