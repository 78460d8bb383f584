using DevInsights.Core.Configuration;
using DevInsights.Core.Jobs;
using DevInsights.Core.Providers;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using static DevInsights.Tests.Costs.ProviderTestKit;

namespace DevInsights.Tests.Costs;

/// <summary>The openai-usage job against a fake OpenAI organisation API serving the documented shapes: 4 daily buckets
/// (3 complete, today's still open), 2 buckets per page, a 429 with Retry-After and a 500 on the way.</summary>
public sealed class OpenAIUsageJobTests
{
    private const string Completions = "/v1/organization/usage/completions";
    private const string CostsPath = "/v1/organization/costs";

    private static Dictionary<string, string?> Settings(FakeProviderServer server, int maxAttempts = 5) => new()
    {
        ["DevInsights:Providers:OpenAI:BaseUrl"] = server.BaseUrl,
        ["DevInsights:Providers:OpenAI:AdminKey"] = OpenAIKey,
        ["DevInsights:Providers:OpenAI:BackfillDays"] = "3",
        ["DevInsights:Providers:OpenAI:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Day i (0 = three days ago): project A's codex usage grows with i; project B is the same each day.</summary>
    private static List<(DateTime, object)> UsageBuckets() => Days(3).Select((day, i) => (day, (object)new
    {
        @object = "bucket",
        start_time = new DateTimeOffset(day).ToUnixTimeSeconds(),
        end_time = new DateTimeOffset(day.AddDays(1)).ToUnixTimeSeconds(),
        results = new object[]
        {
            new { @object = "organization.usage.completions.result", input_tokens = 1000 * (i + 1), input_cached_tokens = 400 * (i + 1), output_tokens = 200 * (i + 1),
                input_audio_tokens = 0, output_audio_tokens = 0, num_model_requests = 3, project_id = "proj_a", user_id = "user_1", api_key_id = "key_1",
                model = "gpt-5-codex", batch = (bool?)null },
            new { @object = "organization.usage.completions.result", input_tokens = 500, input_cached_tokens = 0, output_tokens = 100,
                input_audio_tokens = 0, output_audio_tokens = 0, num_model_requests = 1, project_id = "proj_b", user_id = (string?)null, api_key_id = "key_2",
                model = "gpt-4o-2024-08-06", batch = (bool?)null },
        },
    })).ToList();

    private static List<(DateTime, object)> CostBuckets() => Days(3).Select(day => (day, (object)new
    {
        @object = "bucket",
        start_time = new DateTimeOffset(day).ToUnixTimeSeconds(),
        end_time = new DateTimeOffset(day.AddDays(1)).ToUnixTimeSeconds(),
        results = new object[]
        {
            new { @object = "organization.costs.result", amount = new { value = 0.12, currency = "usd" }, line_item = "gpt-5-codex, input", project_id = "proj_a" },
            new { @object = "organization.costs.result", amount = new { value = 0.34, currency = "usd" }, line_item = "gpt-5-codex, output", project_id = "proj_a" },
        },
    })).ToList();

    private static DateTime StartTime(HttpRequest r) => DateTimeOffset.FromUnixTimeSeconds(long.Parse(r.Query["start_time"]!, System.Globalization.CultureInfo.InvariantCulture)).UtcDateTime;

    /// <summary>Completions: the second page is refused once with 429 (Retry-After: 1). Costs: the first request fails once with 500.</summary>
    private static void ServeWithHiccups(FakeProviderServer server, bool alwaysFailSecondPage = false)
    {
        server.Map(Completions, (r, call) =>
            r.Query["page"].Count > 0 && (alwaysFailSecondPage ? true : call == 2) ? (alwaysFailSecondPage ? Results.StatusCode(500) : FakeProviderServer.TooManyRequests(1))
            : Page(UsageBuckets(), StartTime(r), r.Query["page"], 2));
        server.Map(CostsPath, (r, call) => call == 1 ? Results.Json(new { error = new { message = "internal error" } }, statusCode: 500)
            : Page(CostBuckets(), StartTime(r), r.Query["page"], 2));
    }

    [Theory, BothProviders]
    public async Task Pages_retries_and_reruns_store_each_bucket_once_with_exact_figures(DatabaseProvider provider)
    {
        await using var server = await FakeProviderServer.StartAsync();
        ServeWithHiccups(server);
        var logs = new LogCapture();
        await using var host = await HostAsync(provider, logs, Settings(server));

        var first = await RunAsync(host, "openai-usage");

        Assert.True(first.Succeeded, first.Error);
        Assert.Equal(8, first.Counts!["usage.inserted"]);
        Assert.Equal(2, first.Counts["usage.pages"]);
        Assert.Equal(8, first.Counts["costs.inserted"]);
        Assert.Equal(2, first.Counts["retries"]);
        await using (var db = await host.DbAsync())
        {
            var usage = await db.Set<ProviderUsage>().AsNoTracking().ToListAsync();
            Assert.Equal(8, usage.Count);
            var a = usage.Where(u => u.ProjectRef == "proj_a").ToList();
            Assert.Equal(600 * 10, a.Sum(u => u.InputTokens)); // (1000 - 400) * (1 + 2 + 3 + 4), cached tokens taken out
            Assert.Equal(400 * 10, a.Sum(u => u.CacheReadTokens));
            Assert.Equal(200 * 10, a.Sum(u => u.OutputTokens));
            Assert.Equal(12, a.Sum(u => u.Requests));
            Assert.All(a, u => Assert.Equal(("key_1", "user_1", "gpt-5-codex"), (u.ApiKeyRef, u.UserRef, u.Model)));
            Assert.Equal(2000, usage.Where(u => u.ProjectRef == "proj_b").Sum(u => u.InputTokens));
            Assert.All(usage.Where(u => u.ProjectRef == "proj_b"), u => Assert.Equal("", u.UserRef));

            var costs = await db.Set<ProviderCost>().AsNoTracking().ToListAsync();
            Assert.Equal(8, costs.Count);
            Assert.Equal(1.84, costs.Sum(c => c.AmountUsd), 9);
            Assert.All(costs, c => Assert.Equal("gpt-5-codex", c.Model));
            Assert.Equal(4, costs.Count(c => c.LineItem == "gpt-5-codex, output"));

            // Today's bucket is still open: both streams resume at its start.
            var states = await db.Set<ProviderSyncState>().AsNoTracking().ToDictionaryAsync(s => s.Stream, s => s.CompleteUntil);
            Assert.Equal(Today, states[OpenAIUsageJob.UsageStream]);
            Assert.Equal(Today, states[OpenAIUsageJob.CostsStream]);
        }

        // The 429 was honoured: the retry came at least its Retry-After later.
        var calls = server.RequestsTo(Completions);
        var refused = calls.Single(c => c.Status == 429);
        var retry = calls.SkipWhile(c => c != refused).Skip(1).First();
        Assert.True(retry.At - refused.At >= TimeSpan.FromMilliseconds(950), $"retried after {(retry.At - refused.At).TotalMilliseconds} ms");
        Assert.All(server.Requests, r => Assert.Equal("Bearer " + OpenAIKey, r.Headers["authorization"]));
        Assert.Contains("group_by=project_id&group_by=model&group_by=api_key_id&group_by=user_id", calls[0].Query);
        Assert.Contains("bucket_width=1d", calls[0].Query);

        // A re-run asks only from today's bucket, updates it in place and adds nothing.
        var requestsBefore = server.Requests.Count;
        var second = await RunAsync(host, "openai-usage");
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal(0, second.Counts!["usage.inserted"]);
        Assert.Equal(2, second.Counts["usage.updated"]);
        Assert.Equal(0, second.Counts["costs.inserted"]);
        var rerun = server.Requests.Skip(requestsBefore).First(r => r.Path == Completions);
        Assert.Contains($"start_time={new DateTimeOffset(Today).ToUnixTimeSeconds()}", rerun.Query);
        await using (var db = await host.DbAsync())
        {
            Assert.Equal(8, await db.Set<ProviderUsage>().CountAsync());
            Assert.Equal(8, await db.Set<ProviderCost>().CountAsync());
        }

        // The admin key never reaches the logs or the recorded runs.
        Assert.DoesNotContain(logs.Messages, m => m.Contains(OpenAIKey, StringComparison.Ordinal));
        await using (var db = await host.DbAsync())
            Assert.DoesNotContain(await db.Set<JobRun>().AsNoTracking().ToListAsync(), r => (r.Summary + r.Error + r.CountsJson).Contains(OpenAIKey, StringComparison.Ordinal));
    }

    [Theory, BothProviders]
    public async Task A_run_that_fails_midway_resumes_from_the_last_complete_bucket_after_a_restart(DatabaseProvider provider)
    {
        await using var server = await FakeProviderServer.StartAsync();
        ServeWithHiccups(server, alwaysFailSecondPage: true);
        var logs = new LogCapture();
        var host = await HostAsync(provider, logs, Settings(server, maxAttempts: 2));
        try
        {
            var failed = await RunAsync(host, "openai-usage");
            Assert.Equal(JobRunStatus.Failed, failed.Status);
            Assert.Contains("OpenAI answered 500", failed.Error);
            Assert.Contains("after 2 attempts", failed.Error);
            Assert.DoesNotContain(OpenAIKey, failed.Error);
            await using (var db = await host.DbAsync())
            {
                // Page 1 (three and two days ago) is stored; the stream resumes where it ended.
                Assert.Equal(4, await db.Set<ProviderUsage>().CountAsync());
                Assert.Equal(Today.AddDays(-1), (await db.Set<ProviderSyncState>().SingleAsync(s => s.Stream == OpenAIUsageJob.UsageStream)).CompleteUntil);
            }

            host = await RestartAsync(host, logs, Settings(server));
            ServeWithHiccups(server);
            var before = server.Requests.Count;
            var resumed = await RunAsync(host, "openai-usage");

            Assert.True(resumed.Succeeded, resumed.Error);
            var firstAfterRestart = server.Requests.Skip(before).First(r => r.Path == Completions);
            Assert.Contains($"start_time={new DateTimeOffset(Today.AddDays(-1)).ToUnixTimeSeconds()}", firstAfterRestart.Query);
            Assert.Equal(4, resumed.Counts!["usage.inserted"]);
            await using var check = await host.DbAsync();
            Assert.Equal(8, await check.Set<ProviderUsage>().CountAsync());
            Assert.Equal(6000, await check.Set<ProviderUsage>().Where(u => u.ProjectRef == "proj_a").SumAsync(u => u.InputTokens));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_an_admin_key_the_provider_jobs_are_listed_as_disabled()
    {
        await using var host = await HostAsync(DatabaseProvider.Sqlite, new LogCapture(), new Dictionary<string, string?>());
        var jobs = host.Services.GetRequiredService<JobRunner>().Jobs().ToDictionary(j => j.Name);

        Assert.Equal("no admin key configured (DevInsights:Providers:OpenAI:AdminKey)", jobs["openai-usage"].DisabledReason);
        Assert.Equal("no admin key configured (DevInsights:Providers:Anthropic:AdminKey)", jobs["anthropic-usage"].DisabledReason);
        Assert.NotNull(jobs["anthropic-claude-code"].DisabledReason);
        await Assert.ThrowsAsync<JobDisabledException>(() => RunAsync(host, "openai-usage"));
    }
}
