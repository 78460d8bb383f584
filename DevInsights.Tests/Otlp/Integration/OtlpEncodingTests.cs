using DevInsights.Core.Configuration;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using static DevInsights.Tests.Otlp.Integration.OtlpIntegrationKit;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary>One pipeline for both encodings: the protobuf exports of scenario c, and the same exports as OTLP/JSON,
/// posted to two databases, store the very same figures and events.</summary>
public sealed class OtlpEncodingTests
{
    [Theory, BothProviders]
    public async Task Protobuf_and_json_of_scenario_c_store_identical_figures(DatabaseProvider provider)
    {
        var scenarios = new[]
        {
            (Cli: OtlpFixtureFiles.Claude, Scenario: "c-tool-use-protobuf-traces", Session: ClaudeSessionId("c-tool-use-protobuf-traces")),
            (Cli: OtlpFixtureFiles.Codex, Scenario: "c-shell-tool-protobuf", Session: CodexSessionId("c-shell-tool-protobuf")),
        };
        var stored = new List<List<object>>();
        foreach (var asJson in new[] { false, true })
        {
            await using var app = await DevInsightsFactory.CreateAsync(provider);
            var (client, _, _) = await app.CreateUserClientAsync();
            var results = new List<object>();
            foreach (var (cli, scenario, session) in scenarios)
            {
                var files = ScenarioRequests(cli, scenario);
                Assert.All(files, f => Assert.EndsWith(".pb", f, StringComparison.Ordinal));
                await client.PostScenarioAsync(asJson ? files.Select(f => f[..^3] + ".decoded.json") : files);
                // The developer differs (a user per app); everything else must not.
                results.Add((await app.FiguresAsync(session)) with { DeveloperId = null });
                results.AddRange((await app.EventsAsync(session)).Select(e => (object)new
                {
                    e.Type, e.Timestamp, e.ClientEventId, e.Model, e.ToolName, e.InputTokens, e.OutputTokens, e.CacheReadTokens,
                    e.CacheCreationTokens, e.CostUsd, e.DurationMs, e.Success, e.AttributesJson, e.Source,
                }));
            }

            stored.Add(results);
        }

        Assert.Equal(2 + 15 + 11, stored[0].Count);
        Assert.Equal(stored[0], stored[1]);
    }
}
