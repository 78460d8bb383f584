using System.Net;
using System.Net.Http.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static DevInsights.Tests.Sessions.SessionTestData;

namespace DevInsights.Tests.Sessions;

public sealed class SessionUploadTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Upload_then_get_returns_the_exact_values(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync();
        var upload = Upload(workspace) with
        {
            EndedAt = Start.AddMinutes(30).AddSeconds(15.5),
            TotalMessages = 12,
            InputTokens = 1_200,
            OutputTokens = 3_400,
            CacheReadTokens = 50_000,
            CacheCreationTokens = 700,
            CostUsd = 0.4321,
            Tools = new Dictionary<string, ToolStats?>
            {
                ["Bash"] = new() { Count = 3, Success = 2, Errors = 1 },
                ["Read"] = new() { Count = 5, Success = 5, Errors = 0 },
            },
            Tags = ["bugfix", "backend", "bugfix"],
        };

        using (var response = await dev.Client.PostAsJsonAsync("/api/v1/sessions", upload))
        {
            var created = await response.ReadJsonAsync(HttpStatusCode.Created);
            Assert.Equal($"/api/v1/sessions/{upload.SessionId}", response.Headers.Location?.OriginalString);
            Assert.Equal(upload.SessionId, created.GetProperty("sessionId").GetString());
            Assert.True(created.GetProperty("created").GetBoolean());
            Assert.Equal(0, created.GetProperty("warnings").GetArrayLength());
        }

        var s = await dev.Client.GetJsonAsync($"/api/v1/sessions/{upload.SessionId}");
        Assert.Equal(upload.SessionId, s.GetProperty("sessionId").GetString());
        Assert.Equal("claude-code", s.GetProperty("client").GetString());
        Assert.Equal(["claude-sonnet-4-5"], Strings(s.GetProperty("models")));
        Assert.Equal(dev.Id, s.GetProperty("developer").GetProperty("id").GetString());
        Assert.Equal(dev.Email, s.GetProperty("developer").GetProperty("email").GetString());
        Assert.Equal(workspace.ProjectId, s.GetProperty("project").GetProperty("id").GetInt64());
        Assert.Equal(workspace.ProjectName, s.GetProperty("project").GetProperty("name").GetString());
        Assert.Equal(workspace.ClientWorkspaceId, s.GetProperty("workspaceId").GetString());
        Assert.Equal(workspace.Hostname, s.GetProperty("machineHostname").GetString());
        Assert.Equal(Start.UtcDateTime, s.GetProperty("startedAt").GetDateTime());
        Assert.Equal(Start.AddSeconds(1815.5).UtcDateTime, s.GetProperty("endedAt").GetDateTime());
        Assert.Equal(1_815_500, s.GetProperty("durationMs").GetInt64());
        Assert.Equal(12, s.GetProperty("messageCount").GetInt32());
        Assert.Equal(0, s.GetProperty("eventCount").GetInt64());
        Assert.Equal([1_200, 3_400, 50_000, 700], TokenValues(s));
        Assert.Equal(55_300, s.GetProperty("tokens").GetProperty("total").GetInt64());
        Assert.Equal(0.4321, s.GetProperty("costUsd").GetDouble());
        Assert.Equal(["bugfix", "backend"], Strings(s.GetProperty("tags")));
        var tools = s.GetProperty("tools").EnumerateArray()
            .Select(t => (t.GetProperty("name").GetString(), t.GetProperty("calls").GetInt64(), t.GetProperty("successes").GetInt64(), t.GetProperty("errors").GetInt64()));
        Assert.Equal([("Read", 5L, 5L, 0L), ("Bash", 3L, 2L, 1L)], tools);
        Assert.True(s.GetProperty("messagesVisible").GetBoolean());
        Assert.Equal(0, s.GetProperty("messages").GetArrayLength());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Reupload_replaces_totals_and_tools_and_merges_models(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync();
        var first = Upload(workspace) with
        {
            InputTokens = 1_000, OutputTokens = 2_000, CacheReadTokens = 3_000, CacheCreationTokens = 4_000, CostUsd = 1.25,
            Tools = new Dictionary<string, ToolStats?> { ["Read"] = new() { Count = 4, Success = 4 }, ["Bash"] = new() { Count = 2, Success = 1, Errors = 1 } },
        };
        await dev.Client.PostSessionAsync(first);
        // The ingestion writer counts events on the same row; a summary upload must leave that counter alone.
        await using (var db = await app.DbAsync())
            await db.Sessions.Where(x => x.ClientSessionId == first.SessionId).ExecuteUpdateAsync(x => x.SetProperty(p => p.EventCount, 7L));

        var second = first with
        {
            Model = "claude-opus-4-1", EndedAt = Start.AddHours(1),
            InputTokens = 1_500, OutputTokens = 2_500, CacheReadTokens = 3_500, CacheCreationTokens = 4_500, CostUsd = 2.5,
            Tools = new Dictionary<string, ToolStats?> { ["Edit"] = new() { Count = 6, Success = 5, Errors = 1 } },
        };
        var updated = await dev.Client.PostSessionAsync(second, HttpStatusCode.OK);
        Assert.False(updated.GetProperty("created").GetBoolean());
        await dev.Client.PostSessionAsync(second, HttpStatusCode.OK); // the same summary again changes nothing

        var s = await dev.Client.GetJsonAsync($"/api/v1/sessions/{first.SessionId}");
        Assert.Equal([1_500, 2_500, 3_500, 4_500], TokenValues(s));
        Assert.Equal(2.5, s.GetProperty("costUsd").GetDouble());
        Assert.Equal(3_600_000, s.GetProperty("durationMs").GetInt64());
        Assert.Equal(7, s.GetProperty("eventCount").GetInt64());
        Assert.Equal(["claude-sonnet-4-5", "claude-opus-4-1"], Strings(s.GetProperty("models")));
        var tool = Assert.Single(s.GetProperty("tools").EnumerateArray());
        Assert.Equal("Edit", tool.GetProperty("name").GetString());
        Assert.Equal(6, tool.GetProperty("calls").GetInt64());

        await using var check = await app.DbAsync();
        var row = await check.Sessions.SingleAsync(x => x.ClientSessionId == first.SessionId);
        Assert.Equal("claude-sonnet-4-5,claude-opus-4-1", row.Models);
        Assert.Equal(1_500, row.InputTokens);
        var rows = await check.ToolUsages.Where(t => t.SessionId == row.Id).ToListAsync();
        Assert.Equal([("Edit", 6L, 5L, 1L)], rows.Select(t => (t.ToolName, t.Calls, t.Successes, t.Errors)));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Messages_are_stored_and_replaced_when_the_owner_shares_everything(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync(shareLevel: ShareLevel.Full);
        var lead = await app.UserAsync(Roles.TeamLead);
        var other = await app.UserAsync();
        var upload = Upload(workspace) with
        {
            Messages =
            [
                new() { Role = "user", Content = "Fix the failing test", Timestamp = Start },
                new() { Role = "assistant", Content = "The assertion compares UTC with local time.", Timestamp = Start.AddSeconds(20) },
                new() { Role = "user", Content = "Thanks" },
            ],
        };
        var created = await dev.Client.PostSessionAsync(upload);
        Assert.Equal(0, created.GetProperty("warnings").GetArrayLength());
        await using (var db = await app.DbAsync())
        {
            var sessionId = await db.Sessions.Where(x => x.ClientSessionId == upload.SessionId).Select(x => x.Id).SingleAsync();
            Assert.Equal(["Fix the failing test", "The assertion compares UTC with local time.", "Thanks"],
                await db.Messages.Where(m => m.SessionId == sessionId).OrderBy(m => m.Sequence).Select(m => m.Content).ToListAsync());
        }

        await dev.Client.PostSessionAsync(upload with { Messages = [new() { Role = "user", Content = "Only this one now" }] }, HttpStatusCode.OK);
        await using (var db = await app.DbAsync())
        {
            var sessionId = await db.Sessions.Where(x => x.ClientSessionId == upload.SessionId).Select(x => x.Id).SingleAsync();
            Assert.Equal(["Only this one now"], await db.Messages.Where(m => m.SessionId == sessionId).Select(m => m.Content).ToListAsync());
        }

        foreach (var reader in new[] { dev, lead })
        {
            var s = await reader.Client.GetJsonAsync($"/api/v1/sessions/{upload.SessionId}");
            Assert.True(s.GetProperty("messagesVisible").GetBoolean());
            var message = Assert.Single(s.GetProperty("messages").EnumerateArray());
            Assert.Equal("user", message.GetProperty("role").GetString());
            Assert.Equal("Only this one now", message.GetProperty("content").GetString());
            Assert.Equal(1, s.GetProperty("messageCount").GetInt32());
        }
        await other.Client.GetJsonAsync($"/api/v1/sessions/{upload.SessionId}", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Messages_are_stripped_with_a_warning_under_the_metadata_share_level(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync(); // new users share metadata only
        var lead = await app.UserAsync(Roles.TeamLead);
        var upload = Upload(workspace) with
        {
            Messages = [new() { Role = "user", Content = "secret prompt" }, new() { Role = "assistant", Content = "secret answer" }],
        };

        var created = await dev.Client.PostSessionAsync(upload);
        Assert.Equal(["messages not stored: share level is metadata"], Strings(created.GetProperty("warnings")));
        await using (var db = await app.DbAsync())
        {
            var sessionId = await db.Sessions.Where(x => x.ClientSessionId == upload.SessionId).Select(x => x.Id).SingleAsync();
            Assert.Equal(0, await db.Messages.CountAsync(m => m.SessionId == sessionId));
        }

        var asLead = await lead.Client.GetJsonAsync($"/api/v1/sessions/{upload.SessionId}");
        Assert.False(asLead.GetProperty("messagesVisible").GetBoolean());
        Assert.Equal(0, asLead.GetProperty("messages").GetArrayLength());
        Assert.Equal(2, asLead.GetProperty("messageCount").GetInt32());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Another_developers_session_is_forbidden_to_upload_and_hidden_but_leads_see_it(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var owner = await app.UserAsync(shareLevel: ShareLevel.Full);
        var intruder = await app.UserAsync();
        var lead = await app.UserAsync(Roles.TeamLead);
        var admin = await app.UserAsync(Roles.Admin);
        var upload = Upload(workspace) with { InputTokens = 10, Messages = [new() { Role = "user", Content = "mine" }] };
        await owner.Client.PostSessionAsync(upload);

        var forbidden = await intruder.Client.PostSessionAsync(upload with { InputTokens = 99_999 }, HttpStatusCode.Forbidden);
        Assert.Equal(403, forbidden.GetProperty("status").GetInt32());
        await intruder.Client.GetJsonAsync($"/api/v1/sessions/{upload.SessionId}", HttpStatusCode.NotFound);
        await intruder.Client.GetJsonAsync($"/api/v1/sessions/{upload.SessionId}/events", HttpStatusCode.NotFound);
        var intruderList = await intruder.Client.GetJsonAsync($"/api/v1/sessions?projectId={workspace.ProjectId}");
        Assert.Equal(0, intruderList.GetProperty("total").GetInt32());

        foreach (var reader in new[] { lead, admin })
        {
            var s = await reader.Client.GetJsonAsync($"/api/v1/sessions/{upload.SessionId}");
            Assert.Equal(owner.Email, s.GetProperty("developer").GetProperty("email").GetString());
            Assert.Equal(10, s.GetProperty("tokens").GetProperty("input").GetInt64());
            Assert.Equal("mine", Assert.Single(s.GetProperty("messages").EnumerateArray()).GetProperty("content").GetString());
            Assert.Equal([upload.SessionId!], SessionIds(await reader.Client.GetJsonAsync($"/api/v1/sessions?projectId={workspace.ProjectId}")));
        }
        await using var db = await app.DbAsync();
        var row = await db.Sessions.SingleAsync(x => x.ClientSessionId == upload.SessionId);
        Assert.Equal((owner.Id, 10L), (row.DeveloperId, row.InputTokens));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_batch_reports_each_item_and_stores_only_the_good_ones(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync();
        var other = await app.UserAsync();
        var existing = Upload(workspace) with { InputTokens = 5 };
        await dev.Client.PostSessionAsync(existing);
        var othersSession = Upload(workspace);
        await other.Client.PostSessionAsync(othersSession);
        var fresh = Upload(workspace) with { Messages = [new() { Role = "user", Content = "hi" }] };
        var bad = Upload(workspace) with { InputTokens = -1, EndedAt = Start.AddMinutes(-1) };

        using var response = await dev.Client.PostAsJsonAsync("/api/v1/sessions/batch",
            new SessionBatchUpload { Sessions = [fresh, bad, existing with { InputTokens = 50 }, othersSession] });
        var result = await response.ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal((1, 1, 2), (result.GetProperty("created").GetInt32(), result.GetProperty("updated").GetInt32(), result.GetProperty("rejected").GetInt32()));
        var items = result.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2, 3], items.Select(i => i.GetProperty("index").GetInt32()));
        Assert.Equal([fresh.SessionId, bad.SessionId, existing.SessionId, othersSession.SessionId], items.Select(i => i.GetProperty("sessionId").GetString()));
        Assert.Equal(["created", "rejected", "updated", "rejected"], items.Select(i => i.GetProperty("status").GetString()));
        Assert.Equal(["messages not stored: share level is metadata"], items[0].GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(["endedAt", "inputTokens"], items[1].GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal(["sessionId"], items[3].GetProperty("errors").EnumerateObject().Select(e => e.Name));

        await using var db = await app.DbAsync();
        Assert.False(await db.Sessions.AnyAsync(x => x.ClientSessionId == bad.SessionId));
        Assert.Equal(50, await db.Sessions.Where(x => x.ClientSessionId == existing.SessionId).Select(x => x.InputTokens).SingleAsync());
        Assert.Equal(other.Id, await db.Sessions.Where(x => x.ClientSessionId == othersSession.SessionId).Select(x => x.DeveloperId).SingleAsync());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_batch_must_hold_between_one_and_a_hundred_sessions(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync();
        var tooMany = Enumerable.Range(0, 101).Select(_ => (SessionUpload?)Upload(workspace)).ToList();
        foreach (var batch in new[] { new SessionBatchUpload { Sessions = tooMany }, new SessionBatchUpload { Sessions = [] }, new SessionBatchUpload() })
        {
            using var response = await dev.Client.PostAsJsonAsync("/api/v1/sessions/batch", batch);
            AssertFieldError(await response.ReadJsonAsync(HttpStatusCode.BadRequest), "sessions");
        }
        await using var db = await app.DbAsync();
        Assert.False(await db.Sessions.AnyAsync(x => x.ProjectId == workspace.ProjectId));
    }
}
