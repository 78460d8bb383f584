using System.Net;
using System.Net.Http.Json;
using System.Text;
using DevInsights.Core.Configuration;
using DevInsights.Core.Sessions;
using Microsoft.EntityFrameworkCore;
using static DevInsights.Tests.Sessions.SessionTestData;

namespace DevInsights.Tests.Sessions;

public sealed class SessionValidationTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Each_invalid_upload_is_a_400_naming_its_field_and_stores_nothing(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync();
        var cases = new (string Field, SessionUpload Upload)[]
        {
            ("sessionId", Upload(workspace) with { SessionId = " " }),
            ("sessionId", Upload(workspace) with { SessionId = new string('x', 201) }),
            ("workspaceId", Upload(workspace) with { WorkspaceId = null }),
            ("workspaceId", Upload(workspace) with { WorkspaceId = "ws-that-was-never-registered" }),
            ("startedAt", Upload(workspace) with { StartedAt = null }),
            ("endedAt", Upload(workspace) with { EndedAt = Start.AddSeconds(-1) }),
            ("totalMessages", Upload(workspace) with { TotalMessages = -1 }),
            ("inputTokens", Upload(workspace) with { InputTokens = -1 }),
            ("outputTokens", Upload(workspace) with { OutputTokens = -2 }),
            ("cacheReadTokens", Upload(workspace) with { CacheReadTokens = -3 }),
            ("cacheCreationTokens", Upload(workspace) with { CacheCreationTokens = -4 }),
            ("costUsd", Upload(workspace) with { CostUsd = -0.01 }),
            ("model", Upload(workspace) with { Model = "a,b" }),
            ("tools.Bash.count", Upload(workspace) with { Tools = new Dictionary<string, ToolStats?> { ["Bash"] = new() { Count = -1 } } }),
            ("tools.Bash.errors", Upload(workspace) with { Tools = new Dictionary<string, ToolStats?> { ["Bash"] = new() { Errors = -1 } } }),
            ("tags[1]", Upload(workspace) with { Tags = ["ok", ""] }),
            ("messages[1].role", Upload(workspace) with { Messages = [new() { Role = "user", Content = "a" }, new() { Content = "b" }] }),
            ("messages[0].content", Upload(workspace) with { Messages = [new() { Role = "user" }] }),
        };
        foreach (var (field, upload) in cases)
        {
            var problem = await dev.Client.PostSessionAsync(upload, HttpStatusCode.BadRequest);
            AssertFieldError(problem, field);
        }

        var rawCases = new (string Field, string Json)[]
        {
            ("startedAt", $$"""{"sessionId":"raw-1","workspaceId":"{{workspace.ClientWorkspaceId}}","startedAt":"yesterday"}"""),
            ("inputTokens", $$"""{"sessionId":"raw-2","workspaceId":"{{workspace.ClientWorkspaceId}}","startedAt":"2026-03-01T10:00:00Z","inputTokens":"many"}"""),
            ("messages[0].timestamp", $$"""{"sessionId":"raw-3","workspaceId":"{{workspace.ClientWorkspaceId}}","startedAt":"2026-03-01T10:00:00Z","messages":[{"role":"user","content":"x","timestamp":12}]}"""),
            ("body", "{not json"),
            ("session", "null"),
        };
        foreach (var (field, json) in rawCases)
        {
            using var response = await dev.Client.PostAsync("/api/v1/sessions", new StringContent(json, Encoding.UTF8, "application/json"));
            AssertFieldError(await response.ReadJsonAsync(HttpStatusCode.BadRequest), field);
        }

        using (var text = await dev.Client.PostAsync("/api/v1/sessions", new StringContent("sessionId=x", Encoding.UTF8, "text/plain")))
            Assert.Equal(415, (await text.ReadJsonAsync(HttpStatusCode.UnsupportedMediaType)).GetProperty("status").GetInt32());
        using (var anonymous = app.CreateClient())
        using (var unauthorized = await anonymous.PostAsJsonAsync("/api/v1/sessions", Upload(workspace)))
            await unauthorized.ReadJsonAsync(HttpStatusCode.Unauthorized);

        await using var db = await app.DbAsync();
        Assert.False(await db.Sessions.AnyAsync(x => x.ProjectId == workspace.ProjectId || x.ClientSessionId.StartsWith("raw-")));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Each_invalid_list_or_events_parameter_is_a_400_naming_it(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync();
        var upload = Upload(workspace);
        await dev.Client.PostSessionAsync(upload);

        var cases = new (string Field, string Url)[]
        {
            ("sort", "/api/v1/sessions?sort=price"),
            ("dir", "/api/v1/sessions?dir=up"),
            ("page", "/api/v1/sessions?page=0"),
            ("page", "/api/v1/sessions?page=first"),
            ("pageSize", "/api/v1/sessions?pageSize=0"),
            ("pageSize", "/api/v1/sessions?pageSize=101"),
            ("projectId", "/api/v1/sessions?projectId=abc"),
            ("from", "/api/v1/sessions?from=last-week"),
            ("to", "/api/v1/sessions?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z"),
            ("client", "/api/v1/sessions?client=vim"),
            ("limit", $"/api/v1/sessions/{upload.SessionId}/events?limit=0"),
            ("limit", $"/api/v1/sessions/{upload.SessionId}/events?limit=1001"),
            ("cursor", $"/api/v1/sessions/{upload.SessionId}/events?cursor=not-a-cursor"),
        };
        foreach (var (field, url) in cases) AssertFieldError(await dev.Client.GetJsonAsync(url, HttpStatusCode.BadRequest), field);

        var largest = await dev.Client.GetJsonAsync($"/api/v1/sessions?projectId={workspace.ProjectId}&pageSize=100");
        Assert.Equal((1, 100), (largest.GetProperty("total").GetInt32(), largest.GetProperty("pageSize").GetInt32()));
        var notFound = await dev.Client.GetJsonAsync("/api/v1/sessions/no-such-session", HttpStatusCode.NotFound);
        Assert.Equal(404, notFound.GetProperty("status").GetInt32());
    }
}
