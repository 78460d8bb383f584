using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Sessions;

/// <summary>A project, machine and workspace of its own, inserted directly (the hierarchy service is another feature).</summary>
public sealed record TestWorkspace(long ProjectId, string ProjectName, string ClientWorkspaceId, string Hostname);

public sealed record TestUser(HttpClient Client, string Id, string Email);

internal static class SessionTestData
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public static async Task<TestWorkspace> CreateWorkspaceAsync(this DevInsightsFactory app)
    {
        var unique = Guid.NewGuid().ToString("N")[..12];
        await using var db = await app.DbAsync();
        var now = DateTime.UtcNow;
        var project = new Project
        {
            Key = $"github.com/acme/repo-{unique}", Name = $"repo-{unique}", FullName = $"acme/repo-{unique}",
            RepositoryUrl = $"https://github.com/acme/repo-{unique}", Host = "github.com", Owner = "acme",
            CreatedAt = now, LastActivityAt = now,
        };
        var machine = new Machine { ClientMachineId = $"machine-{unique}", Hostname = $"host-{unique}", Os = "linux", FirstSeenAt = now, LastSeenAt = now };
        db.AddRange(project, machine);
        await db.SaveChangesAsync();
        var workspace = new Workspace
        {
            ClientWorkspaceId = $"ws-{unique}", ProjectId = project.Id, MachineId = machine.Id,
            Path = $"/home/dev/repo-{unique}", Branch = "main", FirstSeenAt = now, LastSeenAt = now,
        };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        return new TestWorkspace(project.Id, project.Name, workspace.ClientWorkspaceId, machine.Hostname);
    }

    public static async Task<TestUser> UserAsync(this DevInsightsFactory app, string role = Roles.Developer, ShareLevel? shareLevel = null)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.test";
        var (client, id, _) = await app.CreateUserClientAsync(role, email);
        if (shareLevel is { } level)
        {
            await using var db = await app.DbAsync();
            await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.ShareLevel, level));
        }
        return new TestUser(client, id, email);
    }

    public static SessionUpload Upload(TestWorkspace workspace, string? sessionId = null) => new()
    {
        SessionId = sessionId ?? $"sess-{Guid.NewGuid():N}",
        WorkspaceId = workspace.ClientWorkspaceId,
        Client = "claude_code",
        Model = "claude-sonnet-4-5",
        StartedAt = Start,
        EndedAt = Start.AddMinutes(30),
    };

    public static async Task<JsonElement> PostSessionAsync(this HttpClient client, SessionUpload upload, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/sessions", upload);
        return await response.ReadJsonAsync(expected);
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(url);
        return await response.ReadJsonAsync(expected);
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        if ((int)response.StatusCode >= 400) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts a 400 problem whose <c>errors</c> name <paramref name="field"/>.</summary>
    public static void AssertFieldError(JsonElement problem, string field)
    {
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"No error for '{field}' in {errors}");
        Assert.NotEqual(0, messages.GetArrayLength());
    }

    /// <summary>The token counts of a session or event, in the order input, output, cacheRead, cacheCreation.</summary>
    public static long[] TokenValues(JsonElement owner) =>
        [.. new[] { "input", "output", "cacheRead", "cacheCreation" }.Select(k => owner.GetProperty("tokens").GetProperty(k).GetInt64())];

    public static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    public static string[] SessionIds(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sessionId").GetString()!).ToArray();
}
