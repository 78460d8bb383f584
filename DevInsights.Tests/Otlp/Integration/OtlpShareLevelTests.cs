using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Otlp;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using Microsoft.EntityFrameworkCore;
using static DevInsights.Tests.Otlp.Integration.OtlpIntegrationKit;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary>Conversation content (prompts, responses, tool input and output, which these runs logged with
/// OTEL_LOG_USER_PROMPTS/OTEL_LOG_TOOL_DETAILS) is stored only for developers who share Full.</summary>
public sealed class OtlpShareLevelTests
{
    [Theory, BothProviders]
    public async Task Content_is_kept_only_for_developers_sharing_full(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (client, ownerId, _) = await app.CreateUserClientAsync();
        var claude = ScenarioRequests(OtlpFixtureFiles.Claude, Scenario);
        var codex = ScenarioRequests(OtlpFixtureFiles.Codex, "b-shell-tool-json");
        var content = ContentValues(claude.Concat(codex));
        Assert.Contains(content, c => c.StartsWith(PromptText, StringComparison.Ordinal));

        // The default share level, Metadata: the real exports as sent, and not one content value anywhere in the database.
        await client.PostScenarioAsync(claude.Concat(codex));
        Assert.Equal(3, (await app.FiguresAsync(ClaudeSessionId(Scenario))).ApiRequests);
        foreach (var value in content) Assert.True((await TablesContainingAsync(app, value)).Count == 0, $"\"{value}\" is stored");
        var prompt = await UserPromptAttributesAsync(app, ClaudeSessionId(Scenario));
        Assert.Equal("98", prompt.GetProperty("prompt_length").ToString()); // sizes are metadata and stay
        Assert.False(prompt.TryGetProperty("prompt", out _));

        // A developer sharing Full, found by email behind the Metadata owner's key: their session keeps its content.
        var email = $"full-{Guid.NewGuid():N}@example.test";
        var (_, developerId, _) = await app.CreateUserClientAsync(Roles.Developer, email);
        await using (var db = await app.DbAsync())
            await db.Users.Where(u => u.Id == developerId).ExecuteUpdateAsync(u => u.SetProperty(x => x.ShareLevel, ShareLevel.Full));
        var (shared, kept) = (NewSessionId(), NewSessionId());
        await client.PostRequestsAsync(ClaudeLogs(shared, ("user.email", email)), ClaudeLogs(kept));

        var sharedPrompt = await UserPromptAttributesAsync(app, shared);
        Assert.StartsWith(PromptText, sharedPrompt.GetProperty("prompt").GetString());
        Assert.Equal(developerId, (await app.FiguresAsync(shared)).DeveloperId);
        Assert.False((await UserPromptAttributesAsync(app, kept)).TryGetProperty("prompt", out _));
        Assert.Equal(ownerId, (await app.FiguresAsync(kept)).DeveloperId);
    }

    /// <summary>Content attribute values of the requests (long enough to be unmistakable in a text search).</summary>
    private static List<string> ContentValues(IEnumerable<string> files)
    {
        var values = new List<string>();
        foreach (var file in files.Where(f => f.EndsWith(".json", StringComparison.Ordinal)))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            Collect(document.RootElement, values);
        }

        return values.Distinct().ToList();

        static void Collect(JsonElement element, List<string> values)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray()) Collect(item, values);
                return;
            }

            if (element.ValueKind != JsonValueKind.Object) return;
            if (element.TryGetProperty("key", out var key) && OtlpContent.AttributeKeys.Contains(key.GetString()!)
                && element.GetProperty("value").TryGetProperty("stringValue", out var text) && text.GetString() is { Length: >= 20 } value)
            {
                // The longest stretch without characters JSON escapes, so it matches the stored JSON text as well.
                var term = value.Split(['"', '\\', '\n', '\r', '\t']).MaxBy(t => t.Length)!;
                if (term.Length >= 12) values.Add(term.Length <= 60 ? term : term[..60]);
            }

            foreach (var property in element.EnumerateObject()) Collect(property.Value, values);
        }
    }

    /// <summary>The tables with a text column containing <paramref name="text"/>, across every table of the model.</summary>
    private static async Task<List<string>> TablesContainingAsync(DevInsightsFactory app, string text)
    {
        await using var db = await app.DbAsync();
        var found = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var columns = entity.GetProperties().Where(p => p.ClrType == typeof(string)).Select(p => $"\"{p.GetColumnName()}\"").ToList();
            if (columns.Count == 0) continue;
            var where = string.Join(" OR ", columns.Select(c => $"{c} LIKE {{0}}"));
#pragma warning disable EF1002 // identifiers come from the model; the searched text is a parameter
            var count = await db.Database.SqlQueryRaw<int>($"SELECT COUNT(*) AS \"Value\" FROM \"{table}\" WHERE {where}", "%" + text + "%").SingleAsync();
#pragma warning restore EF1002
            if (count > 0) found.Add(table);
        }

        return found;
    }

    private static async Task<JsonElement> UserPromptAttributesAsync(DevInsightsFactory app, string sessionId)
    {
        var events = await app.EventsAsync(sessionId);
        return JsonDocument.Parse(events.Single(e => e.Type == OtlpEventTypes.UserPrompt).AttributesJson!).RootElement;
    }
}
