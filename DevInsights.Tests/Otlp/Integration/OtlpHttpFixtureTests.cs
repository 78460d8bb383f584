using DevInsights.Core.Configuration;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Otlp;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;
using static DevInsights.Tests.Otlp.Integration.OtlpIntegrationKit;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary>Every real fixture export, posted through OTLP/HTTP exactly as the CLI sent it (its content type, its bytes),
/// and checked in the database against what the CLI itself reported; then posted again, as a retrying client would,
/// which must change nothing. Scenarios have distinct session ids, so they share one app per provider.</summary>
public sealed class OtlpHttpFixtureTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    private const string ClaudeMachine = "claude-install:8af34f59ce10ee89c0df1cdff1eb2bd161472af497974decad4159a3760872e4";

    public static TheoryData<DatabaseProvider, string, int, int, string, string, double> Claude => new()
    {
        { DatabaseProvider.Sqlite, "a-simple-prompt-json", 1, 7, "", "", 0.516 },
        { DatabaseProvider.Postgres, "a-simple-prompt-json", 1, 7, "", "", 0.516 },
        { DatabaseProvider.Sqlite, "b-tool-use-json", 3, 15, "Bash:1/1/0,Read:1/1/0", "Bash:accept,Read:accept", 1.271 },
        { DatabaseProvider.Postgres, "b-tool-use-json", 3, 15, "Bash:1/1/0,Read:1/1/0", "Bash:accept,Read:accept", 1.271 },
        { DatabaseProvider.Sqlite, "c-tool-use-protobuf-traces", 3, 15, "Bash:1/1/0,Read:1/1/0", "Bash:accept,Read:accept", 1.023 },
        { DatabaseProvider.Postgres, "c-tool-use-protobuf-traces", 3, 15, "Bash:1/1/0,Read:1/1/0", "Bash:accept,Read:accept", 1.023 },
        { DatabaseProvider.Sqlite, "d-tool-denied-json", 2, 10, "", "Bash:reject", 0.891 },
        { DatabaseProvider.Postgres, "d-tool-denied-json", 2, 10, "", "Bash:reject", 0.891 },
        { DatabaseProvider.Sqlite, "e-overloaded-529-then-ok-json", 1, 7, "", "", 2.758 },
        { DatabaseProvider.Postgres, "e-overloaded-529-then-ok-json", 1, 7, "", "", 2.758 },
    };

    public static TheoryData<DatabaseProvider, string, int, int, int, long, long, long, string, string> Codex => new()
    {
        { DatabaseProvider.Sqlite, "a-simple-prompt-json", 1, 0, 7, 9245, 0, 83, "", "" },
        { DatabaseProvider.Postgres, "a-simple-prompt-json", 1, 0, 7, 9245, 0, 83, "", "" },
        { DatabaseProvider.Sqlite, "b-shell-tool-json", 3, 0, 15, 9686, 18635, 264, "exec_command:2/2/0", "exec_command:approved,exec_command:approved" },
        { DatabaseProvider.Postgres, "b-shell-tool-json", 3, 0, 15, 9686, 18635, 264, "exec_command:2/2/0", "exec_command:approved,exec_command:approved" },
        { DatabaseProvider.Sqlite, "c-shell-tool-protobuf", 2, 0, 11, 9383, 9245, 169, "exec_command:1/1/0", "exec_command:approved" },
        { DatabaseProvider.Postgres, "c-shell-tool-protobuf", 2, 0, 11, 9383, 9245, 169, "exec_command:1/1/0", "exec_command:approved" },
        { DatabaseProvider.Sqlite, "d-server-error-500-then-ok-json", 1, 1, 8, 9249, 0, 65, "", "" },
        { DatabaseProvider.Postgres, "d-server-error-500-then-ok-json", 1, 1, 8, 9249, 0, 65, "", "" },
    };

    [Theory]
    [MemberData(nameof(Claude))]
    public async Task Claude_code_export_is_stored_with_the_figures_claude_printed(
        DatabaseProvider provider, string scenario, int requests, int events, string tools, string decisions, double activeCliSeconds)
    {
        var app = await apps.GetAsync(provider);
        var (client, userId, _) = await app.CreateUserClientAsync();
        var files = ScenarioRequests(OtlpFixtureFiles.Claude, scenario);
        var sessionId = ClaudeSessionId(scenario);
        var stdout = ClaudeStdout(scenario);
        var usage = stdout.GetProperty("usage");

        await client.PostScenarioAsync(files);
        var stored = await app.FiguresAsync(sessionId);

        Assert.Equal((ClientKind.ClaudeCode, userId, ClaudeMachine, Project.UnassignedKey, (string?)null),
            (stored.Client, stored.DeveloperId, stored.Machine, stored.Project, stored.Workspace));
        Assert.Equal((events, requests, 0L), (stored.Events, stored.ApiRequests, stored.ApiErrors));
        Assert.Equal(stdout.GetProperty("num_turns").GetInt32(), stored.ApiRequests);
        Assert.Equal(usage.GetProperty("input_tokens").GetInt64(), stored.InputTokens);
        Assert.Equal(usage.GetProperty("output_tokens").GetInt64(), stored.OutputTokens);
        Assert.Equal(usage.GetProperty("cache_read_input_tokens").GetInt64(), stored.CacheReadTokens);
        Assert.Equal(usage.GetProperty("cache_creation_input_tokens").GetInt64(), stored.CacheCreationTokens);
        Assert.Equal(stdout.GetProperty("total_cost_usd").GetDouble(), stored.CostUsd, 9);
        Assert.Equal("claude-sonnet-4-5-20250929", stored.Models);
        Assert.Equal((tools, decisions), (stored.Tools, stored.Decisions));
        // Metrics: active time from claude_code.active_time.total; no lines, commits or PRs in these runs.
        Assert.Equal((0.0, activeCliSeconds, 0L, 0L, ""), (stored.ActiveUserSeconds, stored.ActiveCliSeconds, stored.Commits, stored.PullRequests, stored.EditDecisions));
        Assert.Equal((0, 0), (stored.LinesAdded, stored.LinesRemoved));
        Assert.Equal(ConvertMetrics(OtlpFixtureFiles.Claude, scenario).Sum(r => r.Points.Count), stored.MetricPoints);

        // The client retries every export (a lost 200): nothing is stored or added twice.
        await client.PostScenarioAsync(files);
        Assert.Equal(stored, await app.FiguresAsync(sessionId));
    }

    [Theory]
    [MemberData(nameof(Codex))]
    public async Task Codex_export_is_stored_with_the_figures_of_its_rollout(
        DatabaseProvider provider, string scenario, int requests, int errors, int events, long input, long cacheRead, long output, string tools, string decisions)
    {
        var app = await apps.GetAsync(provider);
        var (client, userId, _) = await app.CreateUserClientAsync();
        var files = ScenarioRequests(OtlpFixtureFiles.Codex, scenario);
        var sessionId = CodexSessionId(scenario);
        var final = RolloutTotals(scenario)[^1];

        await client.PostScenarioAsync(files);
        var stored = await app.FiguresAsync(sessionId);

        Assert.Equal((ClientKind.Codex, userId, "devbox", Project.UnassignedKey), (stored.Client, stored.DeveloperId, stored.Machine, stored.Project));
        Assert.Equal((events, requests, errors), ((int)stored.Events, (int)stored.ApiRequests, (int)stored.ApiErrors));
        Assert.Equal((input, cacheRead, output, 0L), (stored.InputTokens, stored.CacheReadTokens, stored.OutputTokens, stored.CacheCreationTokens));
        Assert.Equal(final.GetProperty("total_tokens").GetInt64(), stored.InputTokens + stored.CacheReadTokens + stored.CacheCreationTokens + stored.OutputTokens);
        Assert.Equal(0, stored.CostUsd); // Codex reports no cost; it is priced later, never guessed here
        Assert.Equal((tools, decisions), (stored.Tools, stored.Decisions));
        // Codex's metrics name no session: all of them are kept as series points, credited to the sender.
        Assert.Equal((0, (double?)null), (stored.MetricPoints, stored.ActiveCliSeconds));
        var points = Assert.Single(ConvertMetrics(OtlpFixtureFiles.Codex, scenario)).DataPointCount;
        Assert.Equal(points, await app.PointsOfAsync(userId));

        await client.PostScenarioAsync(files);
        Assert.Equal(stored, await app.FiguresAsync(sessionId));
        Assert.Equal(points, await app.PointsOfAsync(userId));
    }
}
