using System.Globalization;
using DevInsights.Core.Otlp;
using DevInsights.Core.Sessions;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Otlp;

/// <summary>Every Claude Code 2.1.328 scenario converted from its real OTLP requests, checked against what
/// Claude Code itself reported on stdout and in its metrics.</summary>
public sealed class ClaudeCodeFixtureTests
{
    public static TheoryData<string> Scenarios => new(ClaudeScenarios);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ApiRequests_SumToTheTotalsClaudeCodePrinted(string scenario)
    {
        var stdout = ClaudeStdout(scenario);
        var usage = stdout.GetProperty("usage");
        var events = Events(Claude, scenario);
        var requests = events.Where(e => e.Type == OtlpEventTypes.ApiRequest).ToList();

        Assert.All(events, e => Assert.Equal(stdout.GetProperty("session_id").GetString(), e.ClientSessionId));
        Assert.Equal(stdout.GetProperty("num_turns").GetInt32(), requests.Count);
        Assert.Equal(usage.GetProperty("input_tokens").GetInt64(), requests.Sum(e => e.InputTokens));
        Assert.Equal(usage.GetProperty("output_tokens").GetInt64(), requests.Sum(e => e.OutputTokens));
        Assert.Equal(usage.GetProperty("cache_read_input_tokens").GetInt64(), requests.Sum(e => e.CacheReadTokens));
        Assert.Equal(usage.GetProperty("cache_creation_input_tokens").GetInt64(), requests.Sum(e => e.CacheCreationTokens));
        Assert.Equal(stdout.GetProperty("total_cost_usd").GetDouble(), requests.Sum(e => e.CostUsd!.Value), 9);
        Assert.All(requests, e =>
        {
            Assert.True(e.Success);
            Assert.Equal("claude-sonnet-4-5-20250929", e.Model);
            Assert.StartsWith("req_", e.ClientEventId);
            Assert.True(e.DurationMs > 0);
        });
        // Only requests carry tokens or cost: the writer's session sums must not count anything twice.
        Assert.All(events.Where(e => e.Type != OtlpEventTypes.ApiRequest), e =>
        {
            Assert.Equal(0, e.InputTokens + e.OutputTokens + e.CacheReadTokens + e.CacheCreationTokens);
            Assert.Null(e.CostUsd);
        });
    }

    [Theory]
    [InlineData("a-simple-prompt-json", 1, 3, 55, 0, 22142, 0.0838665, 7)]
    [InlineData("b-tool-use-json", 3, 9, 172, 44303, 22651, 0.10083915, 15)]
    [InlineData("c-tool-use-protobuf-traces", 3, 9, 172, 44316, 22542, 0.1004343, 15)]
    [InlineData("d-tool-denied-json", 2, 6, 94, 22111, 22282, 0.0916188, 10)]
    [InlineData("e-overloaded-529-then-ok-json", 1, 3, 51, 0, 22146, 0.0838215, 7)]
    public void ApiRequests_HaveTheseFigures(string scenario, int requests, long input, long output, long cacheRead, long cacheCreation, double cost, int events)
    {
        var all = Events(Claude, scenario);
        var api = all.Where(e => e.Type == OtlpEventTypes.ApiRequest).ToList();

        Assert.Equal(events, all.Count);
        Assert.Equal(requests, api.Count);
        Assert.Equal(input, api.Sum(e => e.InputTokens));
        Assert.Equal(output, api.Sum(e => e.OutputTokens));
        Assert.Equal(cacheRead, api.Sum(e => e.CacheReadTokens));
        Assert.Equal(cacheCreation, api.Sum(e => e.CacheCreationTokens));
        Assert.Equal(cost, api.Sum(e => e.CostUsd!.Value), 9);
    }

    [Theory]
    [InlineData("a-simple-prompt-json", "", "")]
    [InlineData("b-tool-use-json", "Bash:accept,Read:accept", "Bash:True,Read:True")]
    [InlineData("c-tool-use-protobuf-traces", "Bash:accept,Read:accept", "Bash:True,Read:True")]
    [InlineData("d-tool-denied-json", "Bash:reject", "")]
    [InlineData("e-overloaded-529-then-ok-json", "", "")]
    public void Tools_DecisionsAndResults(string scenario, string decisions, string results)
    {
        var events = Events(Claude, scenario);

        var decided = events.Where(e => e.Type == OtlpEventTypes.ToolDecision).ToList();
        Assert.Equal(decisions, string.Join(",", decided.Select(e => $"{e.ToolName}:{AttributeText(e, "decision")}")));
        Assert.All(decided, e => Assert.Null(e.Success));
        var ran = events.Where(e => e.Type == OtlpEventTypes.ToolResult).ToList();
        Assert.Equal(results, string.Join(",", ran.Select(e => $"{e.ToolName}:{e.Success}")));
        Assert.All(ran, e => Assert.True(e.DurationMs > 0));
        // Every decision and result names its tool call, and every denial is one stdout reports.
        Assert.Equal(
            ClaudeStdout(scenario).GetProperty("permission_denials").GetArrayLength(),
            decided.Count(e => AttributeText(e, "decision") == "reject"));
        Assert.Equal(
            decided.Where(e => AttributeText(e, "decision") == "accept").Select(e => AttributeText(e, "tool_use_id")),
            ran.Select(e => AttributeText(e, "tool_use_id")));
    }

    [Fact]
    public void RetriedOverload_LeavesNoApiError()
    {
        // Scenario e: two 529s were retried inside the CLI; OTLP shows only the final request.
        var events = Events(Claude, "e-overloaded-529-then-ok-json");

        Assert.DoesNotContain(events, e => e.Type == OtlpEventTypes.ApiError || e.Success == false);
        Assert.Single(events, e => e.Type == OtlpEventTypes.ApiRequest);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Events_CarryTheirOwnTimeNameAndSequence(string scenario)
    {
        var events = Events(Claude, scenario);

        Assert.All(events, e =>
        {
            Assert.Equal(DateTimeKind.Utc, e.Timestamp.Kind);
            // timeUnixNano is used; Claude Code's event.timestamp is taken separately and may be 1 ms earlier.
            var stated = DateTime.Parse(AttributeText(e, "event.timestamp")!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            Assert.InRange((e.Timestamp - stated).TotalMilliseconds, 0, 1);
            Assert.Null(Attribute(e, "event.name"));
            Assert.Null(Attribute(e, "session.id"));
            // Content stays out unless the caller keeps it (prompt text was logged in these runs).
            Assert.Null(Attribute(e, "prompt_text"));
            Assert.Null(Attribute(e, "response"));
        });
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => Attribute(e, "event.sequence")!.Value.GetInt32()));
        Assert.Equal(["managed_settings_resolved", "plugin_loaded", "plugin_loaded", "plugin_loaded", OtlpEventTypes.UserPrompt],
            events.Take(5).Select(e => e.Type));
        Assert.Equal("98", AttributeText(Events(Claude, "b-tool-use-json")[4], "prompt_length"));
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Sessions_CarryTheResourceContext(string scenario)
    {
        var results = ConvertLogs(Claude, scenario);
        var sessionId = ClaudeStdout(scenario).GetProperty("session_id").GetString()!;

        Assert.All(results, r =>
        {
            var context = Assert.Single(r.Sessions).Value;
            Assert.Equal(sessionId, Assert.Single(r.Sessions).Key);
            Assert.Equal(ClientKind.ClaudeCode, context.Client);
            Assert.Equal("2.1.328", context.ServiceVersion);
            Assert.Equal("linux", context.OsType);
            Assert.Equal("amd64", context.HostArch);
            Assert.Equal("8af34f59ce10ee89c0df1cdff1eb2bd161472af497974decad4159a3760872e4", context.MachineKey);
            Assert.Equal("user.id", context.MachineKeySource);
            Assert.Equal([context.UserId!], context.DeveloperCandidates);
            Assert.Null(context.RepositoryUrl);
            Assert.Contains("\"team.id\":\"platform\"", context.ResourceAttributesJson);
            Assert.Equal(0, r.RejectedCount);
            Assert.Equal(0, r.SkippedCount);
        });
    }

    [Theory]
    [InlineData("a-simple-prompt-json", 0.516)]
    [InlineData("b-tool-use-json", 1.271)]
    [InlineData("c-tool-use-protobuf-traces", 1.023)]
    [InlineData("d-tool-denied-json", 0.891)]
    [InlineData("e-overloaded-529-then-ok-json", 2.758)]
    public void Metrics_GiveActiveTimeAndAgreeWithTheEvents(string scenario, double activeCliSeconds)
    {
        var results = ConvertMetrics(Claude, scenario);
        var sessionId = ClaudeStdout(scenario).GetProperty("session_id").GetString()!;
        var sessions = results.SelectMany(r => r.SessionMetrics).ToList();
        var points = results.SelectMany(r => r.Points).ToList();
        var requests = Events(Claude, scenario).Where(e => e.Type == OtlpEventTypes.ApiRequest).ToList();

        Assert.All(results, r => Assert.Equal(0, r.RejectedCount));
        Assert.All(sessions, s => Assert.Equal(sessionId, s.ClientSessionId));
        Assert.Equal(activeCliSeconds, sessions.Sum(s => s.ActiveTimeCliSeconds), 9);
        Assert.Equal(0, sessions.Sum(s => s.ActiveTimeUserSeconds));
        Assert.Equal(0, sessions.Sum(s => s.LinesAdded + s.LinesRemoved + s.Commits + s.PullRequests));
        Assert.All(points, p => Assert.Equal(sessionId, p.ClientSessionId));
        Assert.Equal(1, points.Where(p => p.Name == "claude_code.session.count").Sum(p => p.Increment));
        // Tokens and cost stay series only, and agree with the api_request events to the token.
        double Tokens(string type) => points.Where(p => p.Name == "claude_code.token.usage" && p.AttributesJson.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal))
            .Sum(p => p.Increment!.Value);
        Assert.Equal(requests.Sum(e => e.InputTokens), Tokens("input"));
        Assert.Equal(requests.Sum(e => e.OutputTokens), Tokens("output"));
        Assert.Equal(requests.Sum(e => e.CacheReadTokens), Tokens("cacheRead"));
        Assert.Equal(requests.Sum(e => e.CacheCreationTokens), Tokens("cacheCreation"));
        Assert.Equal(requests.Sum(e => e.CostUsd!.Value), points.Where(p => p.Name == "claude_code.cost.usage").Sum(p => p.Increment!.Value), 9);
        Assert.All(points, p => Assert.Equal((OtlpMetricKind.Sum, OtlpTemporality.Delta, true), (p.Kind, p.Temporality, p.IsMonotonic)));
    }
}
