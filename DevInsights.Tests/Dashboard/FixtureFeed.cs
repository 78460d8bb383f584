using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Ingestion;
using DevInsights.Tests.Otlp;

namespace DevInsights.Tests.Dashboard;

/// <summary>A real Claude Code session (the fixture's OTLP log records, converted by the app's OTLP converter) as the
/// items of <c>POST /api/v1/events</c>, so dashboard tests feed the server exactly what a collector would.</summary>
public static class FixtureFeed
{
    public const string ToolScenario = "b-tool-use-json";

    /// <summary>The scenario's events; <paramref name="sessionId"/> replaces the recorded session id so each test owns its session.</summary>
    public static IReadOnlyList<IngestEvent> ClaudeEvents(string scenario, string sessionId) =>
        OtlpFixtureFiles.Events(OtlpFixtureFiles.Claude, scenario).Select(e => e with { ClientSessionId = sessionId }).ToList();

    public static object Item(IngestEvent e, string client = "claude-code") => new Dictionary<string, object?>
    {
        ["sessionId"] = e.ClientSessionId,
        ["eventId"] = e.ClientEventId,
        ["timestamp"] = e.Timestamp,
        ["type"] = e.Type,
        ["model"] = e.Model,
        ["toolName"] = e.ToolName,
        ["inputTokens"] = e.InputTokens,
        ["outputTokens"] = e.OutputTokens,
        ["cacheReadTokens"] = e.CacheReadTokens,
        ["cacheCreationTokens"] = e.CacheCreationTokens,
        ["costUsd"] = e.CostUsd,
        ["durationMs"] = e.DurationMs,
        ["success"] = e.Success,
        ["client"] = client,
        ["attributes"] = e.AttributesJson is null ? null : JsonDocument.Parse(e.AttributesJson).RootElement.Clone(),
    };

    /// <summary>Posts the events as one batch and checks that all of them were stored.</summary>
    public static async Task PostAsync(HttpClient client, IReadOnlyList<IngestEvent> events, string clientKind = "claude-code")
    {
        var body = events.Select(e => Item(e, clientKind)).Select(item => ((Dictionary<string, object?>)item)
            .Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value)).ToList();
        using var response = await client.PostAsJsonAsync("/api/v1/events", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/events answered {(int)response.StatusCode}: {text}");
        using var result = JsonDocument.Parse(text);
        Assert.Equal(events.Count, result.RootElement.GetProperty("accepted").GetInt32());
    }
}
