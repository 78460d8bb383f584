using System.Net;
using System.Text;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Ingestion.IngestionTestKit;

namespace DevInsights.Tests.Ingestion;

/// <summary>Every class of bad input: the status, the problem details' error keys, and an untouched database.</summary>
public sealed class EventsApiValidationTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    private static string Valid(string sid, int i = 0) =>
        $$"""{"sessionId":"{{sid}}","timestamp":"2026-03-14T09:00:0{{i}}Z","type":"api_request","inputTokens":5}""";

    private async Task<(DevInsightsFactory App, HttpClient Client, string UserId, string Sid)> SetUpAsync(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, userId, _) = await app.CreateUserClientAsync();
        return (app, client, userId, NewSessionId());
    }

    private static async Task AssertNothingStoredAsync(DevInsightsFactory app, string userId, string sid)
    {
        Assert.Equal((0, 0, 0), await app.FootprintAsync(userId));
        Assert.Null(await app.SessionAsync(sid));
    }

    private static readonly (string Body, string[] Keys)[] Bodies =
    [
        // Malformed JSON and bodies that are not arrays.
        ("""[{"sessionId":"S",""", ["$"]),
        ("""{"sessionId":"S"}""", ["$"]),
        ("", ["$"]),
        // Wrong types.
        ("""
            [{"sessionId":42,"timestamp":"2026-03-14T09:00:00Z","type":"x"},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","inputTokens":"12"},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","success":"yes"},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","attributes":[1,2]},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","costUsd":"0.1"},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","cacheReadTokens":1.5},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","client":"vim"},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":["x"]},
             null]
            """,
            ["[0].sessionId", "[1].inputTokens", "[2].success", "[3].attributes", "[4].costUsd", "[5].cacheReadTokens", "[6].client", "[7].type", "[8]"]),
        // Missing required fields.
        ("""
            [{"timestamp":"2026-03-14T09:00:00Z","type":"x"},
             {"sessionId":"S","type":"x"},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z"},
             {"sessionId":"","timestamp":"2026-03-14T09:00:00Z","type":"x"}]
            """,
            ["[0].sessionId", "[1].timestamp", "[2].type", "[3].sessionId"]),
        // Timestamps that are not ISO 8601 with an offset.
        ("""
            [{"sessionId":"S","timestamp":"2026-03-14 09:00:00Z","type":"x"},
             {"sessionId":"S","timestamp":"14/03/2026","type":"x"},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00","type":"x"},
             {"sessionId":"S","timestamp":"2026-03-14","type":"x"},
             {"sessionId":"S","timestamp":1773478800,"type":"x"},
             {"sessionId":"S","timestamp":"2026-02-30T09:00:00Z","type":"x"}]
            """,
            ["[0].timestamp", "[1].timestamp", "[2].timestamp", "[3].timestamp", "[4].timestamp", "[5].timestamp"]),
        // Negative counts and amounts.
        ("""
            [{"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","inputTokens":-1},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","outputTokens":-10},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","cacheCreationTokens":-3},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","costUsd":-0.01},
             {"sessionId":"S","timestamp":"2026-03-14T09:00:00Z","type":"x","durationMs":-5}]
            """,
            ["[0].inputTokens", "[1].outputTokens", "[2].cacheCreationTokens", "[3].costUsd", "[4].durationMs"]),
    ];

    public static TheoryData<DatabaseProvider, string, string[]> InvalidBodies()
    {
        var data = new TheoryData<DatabaseProvider, string, string[]>();
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.Postgres })
            foreach (var (body, keys) in Bodies) data.Add(provider, body, keys);
        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_bodies_answer_400_with_errors_keyed_by_item_and_field_and_store_nothing(DatabaseProvider provider, string body, string[] keys)
    {
        var (app, client, userId, sid) = await SetUpAsync(provider);
        var problem = await (await client.PostEventsAsync(body.Replace("\"S\"", $"\"{sid}\"", StringComparison.Ordinal)))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(keys.Order(StringComparer.Ordinal), ErrorKeys(problem));
        await AssertNothingStoredAsync(app, userId, sid);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task More_events_than_the_batch_limit_answer_413(DatabaseProvider provider)
    {
        var (app, client, userId, sid) = await SetUpAsync(provider);
        var body = "[" + string.Join(',', Enumerable.Range(0, 1001).Select(_ => Valid(sid))) + "]";
        var problem = await (await client.PostEventsAsync(body)).ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(["$"], ErrorKeys(problem));
        await AssertNothingStoredAsync(app, userId, sid);
        // Exactly the limit is fine.
        var accepted = await (await client.PostEventsAsync("[" + string.Join(',', Enumerable.Range(0, 1000).Select(_ => Valid(sid))) + "]")).ReadAcceptedAsync();
        Assert.Equal(1000, accepted.Accepted);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, true)]
    [InlineData(DatabaseProvider.Sqlite, false)]
    [InlineData(DatabaseProvider.Postgres, true)]
    [InlineData(DatabaseProvider.Postgres, false)]
    public async Task A_body_over_the_size_limit_answers_413_with_or_without_a_content_length(DatabaseProvider provider, bool withLength)
    {
        var (app, client, userId, sid) = await SetUpAsync(provider);
        var max = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DevInsightsOptions>>().Value.Ingestion.MaxBodyBytes;
        var body = Encoding.UTF8.GetBytes($$"""[{"sessionId":"{{sid}}","timestamp":"2026-03-14T09:00:00Z","type":"x","attributes":{"a":"{{new string('x', (int)max)}}"} }]""");
        HttpContent content = withLength ? new ByteArrayContent(body) : new UnknownLengthContent(body);
        content.Headers.ContentType = new("application/json");

        var problem = await (await client.PostAsync(EventsPath, content)).ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(["$"], ErrorKeys(problem));
        await AssertNothingStoredAsync(app, userId, sid);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "text/plain")]
    [InlineData(DatabaseProvider.Postgres, "application/x-www-form-urlencoded")]
    public async Task A_body_that_is_not_json_answers_415(DatabaseProvider provider, string contentType)
    {
        var (app, client, userId, sid) = await SetUpAsync(provider);
        await (await client.PostEventsAsync($"[{Valid(sid)}]", contentType)).ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await AssertNothingStoredAsync(app, userId, sid);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "missing")]
    [InlineData(DatabaseProvider.Sqlite, "wrong")]
    [InlineData(DatabaseProvider.Sqlite, "revoked")]
    [InlineData(DatabaseProvider.Postgres, "missing")]
    [InlineData(DatabaseProvider.Postgres, "wrong")]
    [InlineData(DatabaseProvider.Postgres, "revoked")]
    public async Task Requests_without_a_valid_key_answer_401(DatabaseProvider provider, string key)
    {
        var (app, _, userId, sid) = await SetUpAsync(provider);
        var client = app.CreateClient();
        if (key == "wrong") client.DefaultRequestHeaders.Add("X-API-Key", ApiKeyService.KeyPrefix + "not-a-real-key");
        if (key == "revoked")
        {
            var (revoked, revokedUserId, secret) = await app.CreateUserClientAsync();
            await app.Services.GetRequiredService<ApiKeyService>().RevokeAllAsync(revokedUserId);
            DevInsightsFactory.UseBearer(client, secret);
            userId = revokedUserId;
        }

        var problem = await (await client.PostEventsAsync($"[{Valid(sid)}]")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Null(problem["errors"]);
        await AssertNothingStoredAsync(app, userId, sid);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_batch_naming_another_developers_session_answers_403_and_stores_nothing(DatabaseProvider provider)
    {
        var (app, client, userId, ownSid) = await SetUpAsync(provider);
        var (owner, _, _) = await app.CreateUserClientAsync();
        var theirs = NewSessionId();
        await (await owner.PostEventsAsync($"[{Valid(theirs)}]")).ReadAcceptedAsync();
        var before = (await app.SessionAsync(theirs))!;

        var body = $"[{Valid(ownSid)},{Valid(theirs, 1)},{Valid(ownSid, 2)},{Valid(theirs, 3)}]";
        var problem = await (await client.PostEventsAsync(body)).ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(["[1].sessionId", "[3].sessionId"], ErrorKeys(problem));
        Assert.Equal([1, 3], problem["indexes"]!.AsArray().Select(i => (int)i!));

        await AssertNothingStoredAsync(app, userId, ownSid);
        var after = (await app.SessionAsync(theirs))!;
        Assert.Equal((before.EventCount, before.InputTokens, before.UpdatedAt), (after.EventCount, after.InputTokens, after.UpdatedAt));
        Assert.Single(await app.EventsAsync(theirs));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task An_empty_array_is_a_no_op(DatabaseProvider provider)
    {
        var (app, client, userId, sid) = await SetUpAsync(provider);
        var accepted = await (await client.PostEventsAsync("[]")).ReadAcceptedAsync();
        Assert.Equal((0, 0, 0), (accepted.Accepted, accepted.Duplicates, accepted.Rejected.Count));
        await AssertNothingStoredAsync(app, userId, sid);
    }

    /// <summary>A body sent without Content-Length (chunked), so the server can only find its size by reading.</summary>
    private sealed class UnknownLengthContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
