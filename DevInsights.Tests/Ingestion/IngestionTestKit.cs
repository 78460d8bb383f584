using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Ingestion;

/// <summary>What the tests send and read back.</summary>
public static class IngestionTestKit
{
    public const string EventsPath = "/api/v1/events";

    public sealed record BatchResult(int Accepted, int Duplicates, List<Rejected> Rejected);

    public sealed record Rejected(int Index, string Field, string Error);

    public static string NewSessionId() => "s-" + Guid.NewGuid().ToString("N");

    public static Task<HttpResponseMessage> PostEventsAsync(this HttpClient client, object events) =>
        client.PostEventsAsync(JsonSerializer.Serialize(events));

    public static Task<HttpResponseMessage> PostEventsAsync(this HttpClient client, string json, string contentType = "application/json") =>
        client.PostAsync(EventsPath, new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue(contentType)));

    public static async Task<BatchResult> ReadAcceptedAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<BatchResult>(text, JsonSerializerOptions.Web)!;
    }

    /// <summary>Asserts an RFC 7807 answer with this status and returns its body.</summary>
    public static async Task<JsonObject> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]));
        return problem;
    }

    /// <summary>The keys of a problem's <c>errors</c>, sorted.</summary>
    public static List<string> ErrorKeys(JsonObject problem) =>
        problem["errors"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList();

    public static async Task<Session?> SessionAsync(this DevInsightsFactory app, string clientSessionId)
    {
        await using var db = await app.DbAsync();
        return await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.ClientSessionId == clientSessionId);
    }

    public static async Task<List<AgentEvent>> EventsAsync(this DevInsightsFactory app, string clientSessionId)
    {
        await using var db = await app.DbAsync();
        return await db.Events.AsNoTracking()
            .Where(e => db.Sessions.Any(s => s.Id == e.SessionId && s.ClientSessionId == clientSessionId))
            .OrderBy(e => e.Id).ToListAsync();
    }

    /// <summary>Everything a user's ingestion could have written: their sessions, and the events and tool counters of those.</summary>
    public static async Task<(int Sessions, int Events, int Tools)> FootprintAsync(this DevInsightsFactory app, string userId)
    {
        await using var db = await app.DbAsync();
        var sessions = db.Sessions.Where(s => s.DeveloperId == userId).Select(s => s.Id);
        return (await sessions.CountAsync(),
            await db.Events.CountAsync(e => sessions.Contains(e.SessionId)),
            await db.ToolUsages.CountAsync(t => sessions.Contains(t.SessionId)));
    }

    /// <summary>A realistic Claude Code style turn: a prompt, an API request, a tool decision and its result, a response.</summary>
    public static List<Dictionary<string, object?>> Turn(string sessionId, DateTime start, string prefix, string model = "claude-sonnet-4-5")
    {
        Dictionary<string, object?> Event(int offsetMs, string type, string id) => new()
        {
            ["sessionId"] = sessionId,
            ["timestamp"] = start.AddMilliseconds(offsetMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
            ["type"] = type,
            ["eventId"] = $"{prefix}-{id}",
        };
        var prompt = Event(0, "user_prompt", "prompt");
        prompt["attributes"] = new Dictionary<string, object?> { ["prompt"] = "Add a health check endpoint", ["prompt_length"] = 27 };
        var request = Event(1200, "api_request", "req");
        request["model"] = model;
        request["inputTokens"] = 1500;
        request["outputTokens"] = 320;
        request["cacheReadTokens"] = 12000;
        request["cacheCreationTokens"] = 800;
        request["costUsd"] = 0.0123;
        request["durationMs"] = 4100;
        var decision = Event(1500, "tool_decision", "decision");
        decision["toolName"] = "Bash";
        var result = Event(2300, "tool_result", "result");
        result["toolName"] = "Bash";
        result["success"] = true;
        result["durationMs"] = 800;
        result["attributes"] = new Dictionary<string, object?> { ["tool_input"] = "{\"command\":\"ls\"}", ["tool_result_size_bytes"] = 120 };
        var response = Event(3000, "assistant_response", "resp");
        response["model"] = model;
        response["attributes"] = new Dictionary<string, object?> { ["response"] = "Done.", ["response_length"] = 5 };
        return [prompt, request, decision, result, response];
    }
}
