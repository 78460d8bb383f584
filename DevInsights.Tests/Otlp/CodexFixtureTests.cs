using System.Globalization;
using System.Text.Json;
using DevInsights.Core.Otlp;
using DevInsights.Core.Sessions;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Otlp;

/// <summary>Every Codex 0.169.0 scenario converted from its real OTLP requests, checked against the rollout
/// transcript and stdout Codex wrote for the same run.</summary>
public sealed class CodexFixtureTests
{
    public static TheoryData<string> Scenarios => new(CodexScenarios);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ApiRequests_SumToTheRolloutTotals(string scenario)
    {
        var totals = RolloutTotals(scenario);
        var final = totals[^1];
        var requests = Events(Codex, scenario).Where(e => e.Type == OtlpEventTypes.ApiRequest).ToList();
        long Total(string name) => final.GetProperty(name).GetInt64();

        // One response per change of the running total (token_count lines repeat unchanged totals).
        var responses = totals.Select(t => t.GetProperty("total_tokens").GetInt64()).Distinct().Count();
        Assert.Equal(responses, requests.Count);
        Assert.Equal(Total("input_tokens") - Total("cached_input_tokens") - Total("cache_write_input_tokens"), requests.Sum(e => e.InputTokens));
        Assert.Equal(Total("cached_input_tokens"), requests.Sum(e => e.CacheReadTokens));
        Assert.Equal(Total("cache_write_input_tokens"), requests.Sum(e => e.CacheCreationTokens));
        Assert.Equal(Total("output_tokens"), requests.Sum(e => e.OutputTokens));
        Assert.Equal(Total("total_tokens"), requests.Sum(e => e.InputTokens + e.CacheReadTokens + e.CacheCreationTokens + e.OutputTokens));
        Assert.All(requests, e =>
        {
            Assert.Null(e.CostUsd);
            Assert.True(e.Success);
            Assert.Equal("gpt-5.5", e.Model);
        });

        // stdout's turn.completed reports the same usage.
        var usage = CodexStdout(scenario).Single(l => l.GetProperty("type").GetString() == "turn.completed").GetProperty("usage");
        Assert.Equal(usage.GetProperty("input_tokens").GetInt64() - usage.GetProperty("cached_input_tokens").GetInt64(), requests.Sum(e => e.InputTokens));
        Assert.Equal(usage.GetProperty("output_tokens").GetInt64(), requests.Sum(e => e.OutputTokens));
    }

    [Theory]
    [InlineData("a-simple-prompt-json", 1, 9245, 0, 83, 7, 16)]
    [InlineData("b-shell-tool-json", 3, 9686, 18635, 264, 15, 36)]
    [InlineData("c-shell-tool-protobuf", 2, 9383, 9245, 169, 11, 25)]
    [InlineData("d-server-error-500-then-ok-json", 1, 9249, 0, 65, 8, 12)]
    public void ApiRequests_HaveTheseFigures(string scenario, int requests, long input, long cacheRead, long output, int events, int skipped)
    {
        var results = ConvertLogs(Codex, scenario);
        var all = results.SelectMany(r => r.Events).ToList();
        var api = all.Where(e => e.Type == OtlpEventTypes.ApiRequest).ToList();

        Assert.Equal(events, all.Count);
        Assert.Equal(skipped, results.Sum(r => r.SkippedCount));
        Assert.Equal(0, results.Sum(r => r.RejectedCount));
        Assert.Equal(requests, api.Count);
        Assert.Equal(input, api.Sum(e => e.InputTokens));
        Assert.Equal(cacheRead, api.Sum(e => e.CacheReadTokens));
        Assert.Equal(output, api.Sum(e => e.OutputTokens));
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Events_BelongToTheThreadAndSkipStreamChunks(string scenario)
    {
        var threadId = CodexStdout(scenario).First().GetProperty("thread_id").GetString()!;
        var results = ConvertLogs(Codex, scenario);
        var events = results.SelectMany(r => r.Events).ToList();

        Assert.All(events, e => Assert.Equal(threadId, e.ClientSessionId));
        // No stream chunks, no SDK diagnostics ("flushing OTEL metrics" has no session), no plain logs.
        Assert.DoesNotContain(events, e => e.Type is "sse_event" or OtlpEventTypes.Log);
        string[] known =
        [
            OtlpEventTypes.UserPrompt, OtlpEventTypes.ApiRequest, OtlpEventTypes.ApiAttempt, OtlpEventTypes.ApiError,
            OtlpEventTypes.ToolDecision, OtlpEventTypes.ToolResult, "conversation_starts", "startup_phase", "turn_ttft",
        ];
        Assert.Subset(known.ToHashSet(), events.Select(e => e.Type).ToHashSet());
        Assert.Equal(["conversation_starts", "startup_phase", "startup_phase", OtlpEventTypes.UserPrompt], events.Take(4).Select(e => e.Type));
        Assert.All(events, e =>
        {
            // Codex sets only the observed time (ns), taken just after event.timestamp (ms, truncated).
            var stated = DateTime.Parse(AttributeText(e, "event.timestamp")!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            Assert.InRange((e.Timestamp - stated).TotalMilliseconds, 0, 2);
            Assert.Null(Attribute(e, "conversation.id"));
        });
        Assert.Equal(events.OrderBy(e => e.Timestamp).Select(e => e.ClientEventId), events.Select(e => e.ClientEventId));

        var context = Assert.Single(results.SelectMany(r => r.Sessions)).Value;
        Assert.Equal((ClientKind.Codex, "codex_exec", "0.169.0"), (context.Client, context.ServiceName, context.ServiceVersion));
        Assert.Equal(("devbox", "host.name", "devbox"), (context.MachineKey, context.MachineKeySource, context.HostName));
        Assert.Empty(context.DeveloperCandidates);
    }

    [Theory]
    [InlineData("a-simple-prompt-json", "")]
    [InlineData("b-shell-tool-json", "exec_command:approved,exec_command:approved")]
    [InlineData("c-shell-tool-protobuf", "exec_command:approved")]
    [InlineData("d-server-error-500-then-ok-json", "")]
    public void Tools_DecisionsAndResults(string scenario, string decisions)
    {
        var events = Events(Codex, scenario);
        var decided = events.Where(e => e.Type == OtlpEventTypes.ToolDecision).ToList();
        var ran = events.Where(e => e.Type == OtlpEventTypes.ToolResult).ToList();

        Assert.Equal(decisions, string.Join(",", decided.Select(e => $"{e.ToolName}:{AttributeText(e, "decision")}")));
        Assert.Equal(decided.Select(e => AttributeText(e, "call_id")), ran.Select(e => AttributeText(e, "call_id")));
        Assert.All(ran, e =>
        {
            Assert.Equal("exec_command", e.ToolName);
            Assert.True(e.Success);
            Assert.True(e.DurationMs > 0);
        });
    }

    [Fact]
    public void ServerError_IsAnApiErrorThenASuccessfulAttempt()
    {
        var events = Events(Codex, "d-server-error-500-then-ok-json");
        var calls = events.Where(e => e.Type is OtlpEventTypes.ApiError or OtlpEventTypes.ApiAttempt).ToList();

        Assert.Equal([(OtlpEventTypes.ApiError, false, "500", "0", 16L), (OtlpEventTypes.ApiAttempt, true, "200", "1", 56L)],
            calls.Select(e => (e.Type, e.Success!.Value, AttributeText(e, "http.response.status_code"), AttributeText(e, "attempt"), e.DurationMs!.Value)));
        Assert.Equal("http 500", AttributeText(calls[0], "error.message"));
        Assert.Single(events, e => e.Type == OtlpEventTypes.ApiRequest);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Metrics_AreSeriesWithoutSessions_AndAgreeWithTheRollout(string scenario)
    {
        var result = Assert.Single(ConvertMetrics(Codex, scenario));
        var final = RolloutTotals(scenario)[^1];
        var events = Events(Codex, scenario);

        Assert.Equal(0, result.RejectedCount);
        Assert.Equal(result.DataPointCount, result.Points.Count);
        Assert.InRange(result.Points.Select(p => p.Name).Distinct().Count(), 50, 56);
        Assert.Empty(result.SessionMetrics);
        Assert.Empty(result.Sessions);
        Assert.All(result.Points, p =>
        {
            Assert.Null(p.ClientSessionId);
            Assert.Equal(ClientKind.Codex, p.Client);
            Assert.Equal(OtlpTemporality.Delta, p.Temporality);
        });
        double TurnTokens(string type) => result.Points
            .Where(p => p.Name == "codex.turn.token_usage" && JsonDocument.Parse(p.AttributesJson).RootElement.GetProperty("token_type").GetString() == type)
            .Sum(p => p.SumIncrement!.Value);
        Assert.Equal(final.GetProperty("input_tokens").GetInt64(), TurnTokens("input"));
        Assert.Equal(final.GetProperty("cached_input_tokens").GetInt64(), TurnTokens("cached_input"));
        Assert.Equal(final.GetProperty("output_tokens").GetInt64(), TurnTokens("output"));
        // codex.api_request counts the same HTTP attempts as the api_attempt/api_error events.
        Assert.Equal(events.Count(e => e.Type is OtlpEventTypes.ApiAttempt or OtlpEventTypes.ApiError),
            result.Points.Where(p => p.Name == "codex.api_request").Sum(p => p.Increment!.Value));
        var histogram = result.Points.First(p => p.Kind == OtlpMetricKind.Histogram);
        var buckets = JsonDocument.Parse(histogram.BucketsJson!).RootElement;
        Assert.Equal(buckets.GetProperty("bounds").GetArrayLength() + 1, buckets.GetProperty("counts").GetArrayLength());
        Assert.Equal(histogram.Count, buckets.GetProperty("counts").EnumerateArray().Sum(c => c.GetInt64()));
    }
}
