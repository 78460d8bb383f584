using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using static DevInsights.Tests.Sessions.SessionTestData;

namespace DevInsights.Tests.Sessions;

public sealed class SessionListTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Filters_return_exactly_the_matching_sessions(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var ann = await app.UserAsync();
        var bob = await app.UserAsync();
        var lead = await app.UserAsync(Roles.TeamLead);
        var s1 = Upload(workspace, "s1-" + Guid.NewGuid().ToString("N")) with { StartedAt = Start, EndedAt = null };
        var s2 = Upload(workspace, "s2-" + Guid.NewGuid().ToString("N")) with
        {
            Client = "codex_cli_rs", Model = "gpt-5-codex", StartedAt = Start.AddDays(1), EndedAt = Start.AddDays(1).AddMinutes(5),
        };
        var s3 = Upload(workspace, "s3-" + Guid.NewGuid().ToString("N")) with
        {
            Model = "claude-opus-4-1", StartedAt = Start.AddDays(2), EndedAt = Start.AddDays(2).AddMinutes(5),
        };
        await ann.Client.PostSessionAsync(s1);
        await ann.Client.PostSessionAsync(s2);
        await bob.Client.PostSessionAsync(s3);
        var project = $"/api/v1/sessions?projectId={workspace.ProjectId}";

        async Task<string[]> Ids(TestUser who, string filter = "") => SessionIds(await who.Client.GetJsonAsync(project + filter));
        Assert.Equal([s3.SessionId!, s2.SessionId!, s1.SessionId!], await Ids(lead));
        Assert.Equal([s2.SessionId!, s1.SessionId!], await Ids(lead, $"&developer={ann.Id}"));
        Assert.Equal([s3.SessionId!], await Ids(lead, $"&developer={Uri.EscapeDataString(bob.Email.ToUpperInvariant())}"));
        Assert.Equal([s2.SessionId!], await Ids(lead, "&model=gpt-5"));
        Assert.Equal([s3.SessionId!, s1.SessionId!], await Ids(lead, "&model=claude"));
        Assert.Equal([s2.SessionId!], await Ids(lead, "&client=codex"));
        Assert.Equal([s3.SessionId!, s1.SessionId!], await Ids(lead, "&client=claude_code"));
        Assert.Equal([s2.SessionId!], await Ids(lead, "&from=2026-03-02T00:00:00Z&to=2026-03-02T23:59:59Z"));
        Assert.Equal([s3.SessionId!, s2.SessionId!], await Ids(lead, "&from=2026-03-02T10:00:00Z"));
        Assert.Equal([s1.SessionId!], await Ids(lead, "&to=2026-03-01T10:00:00Z"));
        Assert.Equal([s2.SessionId!], await Ids(lead, $"&developer={ann.Email}&client=codex&model=codex"));
        // A developer lists only their own sessions, whatever developer they ask for.
        Assert.Equal([s2.SessionId!, s1.SessionId!], await Ids(ann));
        Assert.Empty(await Ids(ann, $"&developer={bob.Id}"));
        Assert.Equal([s3.SessionId!], await Ids(bob));

        var page = await lead.Client.GetJsonAsync(project + "&client=codex");
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("codex", item.GetProperty("client").GetString());
        Assert.Equal(["gpt-5-codex"], Strings(item.GetProperty("models")));
        Assert.Equal(ann.Email, item.GetProperty("developer").GetProperty("email").GetString());
        Assert.Equal(ann.Email, item.GetProperty("developer").GetProperty("displayName").GetString());
        Assert.Equal(workspace.ProjectName, item.GetProperty("project").GetProperty("name").GetString());
        Assert.Equal(workspace.ClientWorkspaceId, item.GetProperty("workspaceId").GetString());
        Assert.Equal(workspace.Hostname, item.GetProperty("machineHostname").GetString());
        Assert.Equal(300_000, item.GetProperty("durationMs").GetInt64());
        Assert.Equal(Start.AddDays(1).AddMinutes(5).UtcDateTime, item.GetProperty("lastEventAt").GetDateTime());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Sorting_by_time_cost_and_tokens_and_paging_return_the_exact_order(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync();
        // Token totals spread over the four kinds, so that no single kind gives the same order as their sum.
        var sessions = new[]
        {
            Upload(workspace, "t0-" + Guid.NewGuid().ToString("N")) with { StartedAt = Start.AddHours(1), CostUsd = 0.5, InputTokens = 90, CacheReadTokens = 10 },
            Upload(workspace, "t1-" + Guid.NewGuid().ToString("N")) with { StartedAt = Start.AddHours(2), CostUsd = 0.1, InputTokens = 10, CacheReadTokens = 490 },
            Upload(workspace, "t2-" + Guid.NewGuid().ToString("N")) with { StartedAt = Start.AddHours(3), CostUsd = 0.9, InputTokens = 250, OutputTokens = 50 },
            Upload(workspace, "t3-" + Guid.NewGuid().ToString("N")) with { StartedAt = Start.AddHours(4), CostUsd = 0.3, CacheCreationTokens = 200 },
            Upload(workspace, "t4-" + Guid.NewGuid().ToString("N")) with { StartedAt = Start.AddHours(5), CostUsd = 0.7, OutputTokens = 400 },
        };
        foreach (var s in sessions) await dev.Client.PostSessionAsync(s with { EndedAt = s.StartedAt!.Value.AddMinutes(10) });
        string[] Expect(params int[] order) => order.Select(i => sessions[i].SessionId!).ToArray();
        async Task<string[]> Ids(string query) =>
            SessionIds(await dev.Client.GetJsonAsync($"/api/v1/sessions?projectId={workspace.ProjectId}&{query}"));

        Assert.Equal(Expect(4, 3, 2, 1, 0), await Ids("sort=time"));
        Assert.Equal(Expect(0, 1, 2, 3, 4), await Ids("sort=time&dir=asc"));
        Assert.Equal(Expect(2, 4, 0, 3, 1), await Ids("sort=cost"));
        Assert.Equal(Expect(1, 3, 0, 4, 2), await Ids("sort=cost&dir=asc"));
        Assert.Equal(Expect(1, 4, 2, 3, 0), await Ids("sort=tokens&dir=desc"));
        Assert.Equal(Expect(0, 3, 2, 4, 1), await Ids("sort=TOKENS&dir=ASC"));

        Assert.Equal(Expect(2, 4), await Ids("sort=cost&pageSize=2&page=1"));
        Assert.Equal(Expect(0, 3), await Ids("sort=cost&pageSize=2&page=2"));
        Assert.Equal(Expect(1), await Ids("sort=cost&pageSize=2&page=3"));
        var beyond = await dev.Client.GetJsonAsync($"/api/v1/sessions?projectId={workspace.ProjectId}&sort=cost&pageSize=2&page=4");
        Assert.Equal((0, 5, 4, 2), (beyond.GetProperty("items").GetArrayLength(), beyond.GetProperty("total").GetInt32(),
            beyond.GetProperty("page").GetInt32(), beyond.GetProperty("pageSize").GetInt32()));
        var first = await dev.Client.GetJsonAsync($"/api/v1/sessions?projectId={workspace.ProjectId}");
        Assert.Equal((5, 1, SessionQuery.DefaultPageSize), (first.GetProperty("total").GetInt32(), first.GetProperty("page").GetInt32(), first.GetProperty("pageSize").GetInt32()));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Ties_keep_upload_order_so_pages_never_repeat_or_skip_a_session(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var dev = await app.UserAsync();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var upload = Upload(workspace, $"tie{i}-{Guid.NewGuid():N}") with { CostUsd = 0.25, InputTokens = 100 };
            await dev.Client.PostSessionAsync(upload);
            ids.Add(upload.SessionId!);
        }
        foreach (var (sort, dir, expected) in new[] { ("cost", "desc", ids.AsEnumerable().Reverse()), ("tokens", "asc", ids), ("time", "asc", ids) })
        {
            var paged = new List<string>();
            for (var page = 1; page <= 4; page++)
                paged.AddRange(SessionIds(await dev.Client.GetJsonAsync(
                    $"/api/v1/sessions?projectId={workspace.ProjectId}&sort={sort}&dir={dir}&pageSize=1&page={page}")));
            Assert.Equal(expected, paged);
        }
    }
}
