using System.Net;
using System.Net.Http.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Tests.Identity;

/// <summary>Share levels enforced where data is stored (content) and where it is read (visibility).</summary>
public sealed class ShareLevelTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Metadata_level_stores_no_prompt_text_tool_input_or_message_anywhere(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var metadata = await app.UserAsync(Roles.Developer, ShareLevel.Metadata);
        var full = await app.UserAsync(Roles.Developer, ShareLevel.Full);

        var hidden = "SECRET-" + Guid.NewGuid().ToString("N");
        var shown = "SHOWN-" + Guid.NewGuid().ToString("N");
        var hiddenSession = await PostContentAsync(metadata.Client, workspace, hidden);
        await PostContentAsync(full.Client, workspace, shown);

        // The rows exist (metadata kept: tokens, tools, message count) but no text column holds the marker.
        await using var db = await app.DbAsync();
        var session = await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == hiddenSession);
        Assert.Equal(1500, session.InputTokens);
        Assert.True(await db.Events.CountAsync(e => e.SessionId == session.Id) >= 5);
        Assert.Equal(0, await CountMarkerAsync(db, hidden));
        // The same requests by a developer sharing everything do store it: the search finds what is there.
        Assert.True(await CountMarkerAsync(db, shown) >= 3, "content of a 'full' developer should be stored");
    }

    [Theory, BothProviders]
    public async Task None_level_sessions_are_hidden_from_other_developers_and_team_leads_but_not_from_admins(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var workspace = await app.CreateWorkspaceAsync();
        var owner = await app.UserAsync(Roles.Developer, ShareLevel.None);
        var other = await app.UserAsync(Roles.Developer);
        var lead = await app.UserAsync(Roles.TeamLead);
        var admin = await app.UserAsync(Roles.Admin);
        var upload = SessionTestData.Upload(workspace);
        await owner.Client.PostSessionAsync(upload);
        var id = upload.SessionId!;
        using (var posted = await owner.Client.PostEventsAsync(IngestionTestKit.Turn(id, DateTime.UtcNow, "n")))
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        foreach (var user in new[] { other, lead })
        {
            await user.Client.GetJsonAsync($"/api/v1/sessions/{id}", HttpStatusCode.NotFound);
            await user.Client.GetJsonAsync($"/api/v1/sessions/{id}/events", HttpStatusCode.NotFound);
            var list = await user.Client.GetJsonAsync($"/api/v1/sessions?projectId={workspace.ProjectId}");
            Assert.DoesNotContain(id, SessionTestData.SessionIds(list));
            var timeline = await user.Client.GetJsonAsync($"/api/v1/projects/{workspace.ProjectId}/events");
            Assert.Equal(0, timeline.GetProperty("items").GetArrayLength());
        }
        foreach (var user in new[] { owner, admin })
        {
            await user.Client.GetJsonAsync($"/api/v1/sessions/{id}");
            Assert.Contains(id, SessionTestData.SessionIds(await user.Client.GetJsonAsync($"/api/v1/sessions?projectId={workspace.ProjectId}")));
        }
        // The admin sees metadata only: messages stay the owner's.
        var detail = await admin.Client.GetJsonAsync($"/api/v1/sessions/{id}");
        Assert.False(detail.GetProperty("messagesVisible").GetBoolean());

        // A lead sees the same developer's sessions again once they share metadata.
        using var put = await owner.Client.PutAsJsonAsync("/api/v1/me/settings", new { shareLevel = "metadata", leaderboardOptIn = false });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await lead.Client.GetJsonAsync($"/api/v1/sessions/{id}");
    }

    /// <summary>A session upload with messages, then a turn of events with prompt, tool input and response text.</summary>
    private static async Task<string> PostContentAsync(HttpClient client, TestWorkspace workspace, string marker)
    {
        var upload = SessionTestData.Upload(workspace) with
        {
            Messages = [new MessageUpload { Role = "user", Content = $"Please fix the bug {marker}" }, new MessageUpload { Role = "assistant", Content = $"Fixed {marker}" }],
        };
        await client.PostSessionAsync(upload);
        var turn = IngestionTestKit.Turn(upload.SessionId!, DateTime.UtcNow, "c");
        ((Dictionary<string, object?>)turn[0]["attributes"]!)["prompt"] = $"Add a health check {marker}";
        ((Dictionary<string, object?>)turn[3]["attributes"]!)["tool_input"] = $"{{\"command\":\"echo {marker}\"}}";
        ((Dictionary<string, object?>)turn[4]["attributes"]!)["response"] = $"Done {marker}";
        using var response = await client.PostEventsAsync(turn);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return upload.SessionId!;
    }

    /// <summary>Rows of events, messages and sessions whose any text column contains the marker.</summary>
    private static async Task<int> CountMarkerAsync(Core.Data.DevInsightsDbContext db, string marker)
    {
        var like = $"%{marker}%";
        var events = await db.Events.CountAsync(e => EF.Functions.Like(e.AttributesJson ?? "", like) || EF.Functions.Like(e.Type, like)
            || EF.Functions.Like(e.ToolName ?? "", like) || EF.Functions.Like(e.Model ?? "", like) || EF.Functions.Like(e.ClientEventId ?? "", like));
        var messages = await db.Messages.CountAsync(m => EF.Functions.Like(m.Content, like) || EF.Functions.Like(m.Role, like));
        var sessions = await db.Sessions.CountAsync(s => EF.Functions.Like(s.TagsJson ?? "", like) || EF.Functions.Like(s.Models ?? "", like));
        return events + messages + sessions;
    }
}
