using System.Net;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using Microsoft.EntityFrameworkCore;
using static DevInsights.Tests.Sessions.SessionTestData;

namespace DevInsights.Tests.Sessions;

public sealed class SessionEventsTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Events_come_in_time_order_then_id_a_cursor_page_at_a_time(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync();
        var lead = await app.UserAsync(Roles.TeamLead);
        var other = await app.UserAsync();
        var upload = Upload(workspace);
        await dev.Client.PostSessionAsync(upload);

        // Inserted out of order, two sharing a timestamp: the page order is (timestamp, id).
        var t = Start.UtcDateTime;
        var inserted = new[] { ("e-late", t.AddSeconds(30)), ("e-tie-a", t.AddSeconds(10.25)), ("e-first", t), ("e-tie-b", t.AddSeconds(10.25)), ("e-mid", t.AddSeconds(5)) };
        await using (var db = await app.DbAsync())
        {
            var session = await db.Sessions.SingleAsync(x => x.ClientSessionId == upload.SessionId);
            foreach (var (eventId, at) in inserted)
            {
                db.Events.Add(new AgentEvent
                {
                    SessionId = session.Id, ProjectId = session.ProjectId, MachineId = session.MachineId, WorkspaceId = session.WorkspaceId,
                    Timestamp = at, Type = eventId == "e-mid" ? "tool_result" : "api_request", ToolName = eventId == "e-mid" ? "Bash" : null,
                    Model = "claude-sonnet-4-5", InputTokens = 11, OutputTokens = 22, CacheReadTokens = 33, CacheCreationTokens = 44,
                    CostUsd = 0.0125, DurationMs = 1_500, Success = eventId != "e-mid",
                    AttributesJson = $$"""{"event.name":"{{eventId}}","attempt":2}""", Source = "otlp", ClientEventId = eventId, ReceivedAt = DateTime.UtcNow,
                });
                await db.SaveChangesAsync(); // one at a time: ids follow insertion order
            }
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/api/v1/sessions/{upload.SessionId}/events?limit=2" + (cursor is null ? "" : $"&cursor={cursor}");
            var page = await dev.Client.GetJsonAsync(url);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("eventId").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        } while (cursor is not null);
        Assert.Equal(["e-first", "e-mid", "e-tie-a", "e-tie-b", "e-late"], seen);
        Assert.Equal(3, pages);

        var all = await lead.Client.GetJsonAsync($"/api/v1/sessions/{upload.SessionId}/events");
        Assert.Equal(JsonValueKindNull, all.GetProperty("nextCursor").ValueKind);
        var mid = all.GetProperty("items")[1];
        Assert.Equal(t.AddSeconds(5), mid.GetProperty("timestamp").GetDateTime());
        Assert.Equal("tool_result", mid.GetProperty("type").GetString());
        Assert.Equal("Bash", mid.GetProperty("toolName").GetString());
        Assert.Equal("claude-sonnet-4-5", mid.GetProperty("model").GetString());
        Assert.Equal([11, 22, 33, 44], TokenValues(mid));
        Assert.Equal(0.0125, mid.GetProperty("costUsd").GetDouble());
        Assert.Equal(1_500, mid.GetProperty("durationMs").GetInt64());
        Assert.False(mid.GetProperty("success").GetBoolean());
        Assert.Equal("e-mid", mid.GetProperty("attributes").GetProperty("event.name").GetString());
        Assert.Equal(2, mid.GetProperty("attributes").GetProperty("attempt").GetInt32());
        Assert.Equal("otlp", mid.GetProperty("source").GetString());

        await other.Client.GetJsonAsync($"/api/v1/sessions/{upload.SessionId}/events", HttpStatusCode.NotFound);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
