using System.Globalization;
using DevInsights.Core.Configuration;
using DevInsights.Core.Providers;
using DevInsights.Tests.Hierarchy;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using static DevInsights.Tests.Costs.ProviderTestKit;

namespace DevInsights.Tests.Costs;

/// <summary>The anthropic-usage and anthropic-claude-code jobs against a fake Anthropic admin API (documented shapes:
/// RFC 3339 buckets, cache creation split by duration, cost amounts as decimal strings in cents).</summary>
public sealed class AnthropicUsageJobTests
{
    private const string Messages = "/v1/organizations/usage_report/messages";
    private const string CostReport = "/v1/organizations/cost_report";
    private const string ClaudeCode = "/v1/organizations/usage_report/claude_code";

    private static Dictionary<string, string?> Settings(FakeProviderServer server) => new()
    {
        ["DevInsights:Providers:Anthropic:BaseUrl"] = server.BaseUrl,
        ["DevInsights:Providers:Anthropic:AdminKey"] = AnthropicKey,
        ["DevInsights:Providers:Anthropic:BackfillDays"] = "2",
        ["DevInsights:Providers:Anthropic:ClaudeCodeReport"] = "true",
    };

    private static string Rfc(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static DateTime StartingAt(HttpRequest r) =>
        DateTime.Parse(r.Query["starting_at"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    private static void Serve(FakeProviderServer server)
    {
        var usage = Days(2).Select(day => (day, (object)new
        {
            starting_at = Rfc(day), ending_at = Rfc(day.AddDays(1)),
            results = new object[]
            {
                new { uncached_input_tokens = 1500, cache_creation = new { ephemeral_1h_input_tokens = 1000, ephemeral_5m_input_tokens = 500 },
                    cache_read_input_tokens = 20000, output_tokens = 700, server_tool_use = new { web_search_requests = 0 },
                    api_key_id = "apikey_01", workspace_id = "wrkspc_01", model = "claude-sonnet-4-5-20250929", service_tier = "standard", context_window = "0-200k" },
            },
        })).ToList();
        var costs = Days(2).Select(day => (day, (object)new
        {
            starting_at = Rfc(day), ending_at = Rfc(day.AddDays(1)),
            results = new object[]
            {
                new { currency = "USD", amount = "1234.5", workspace_id = "wrkspc_01", description = "Claude Sonnet 4.5 Usage - Input Tokens",
                    cost_type = "tokens", context_window = "0-200k", model = "claude-sonnet-4-5-20250929", service_tier = "standard", token_type = "uncached_input_tokens" },
                new { currency = "USD", amount = "0.5", workspace_id = (string?)null, description = "Web Search", cost_type = "web_search",
                    context_window = (string?)null, model = (string?)null, service_tier = (string?)null, token_type = (string?)null },
            },
        })).ToList();
        server.Map(Messages, (r, call) => call == 1 ? FakeProviderServer.TooManyRequests(1) : Page(usage, StartingAt(r), r.Query["page"], 2));
        server.Map(CostReport, (r, call) => call == 1 ? Results.StatusCode(503) : Page(costs, StartingAt(r), r.Query["page"], 1));
        server.Map(ClaudeCode, (r, _) =>
        {
            var day = r.Query["starting_at"].ToString();
            object Record(string email, int sessions) => new
            {
                date = day + "T00:00:00Z", actor = new { type = "user_actor", email_address = email }, organization_id = "org_1", customer_type = "api",
                terminal_type = "vscode",
                core_metrics = new { num_sessions = sessions, lines_of_code = new { added = 100, removed = 20 }, commits_by_claude_code = 2, pull_requests_by_claude_code = 1 },
                tool_actions = new { edit_tool = new { accepted = 10, rejected = 1 } },
                model_breakdown = new object[]
                {
                    new { model = "claude-sonnet-4-5-20250929", tokens = new { input = 100, output = 50, cache_read = 1000, cache_creation = 10 }, estimated_cost = new { currency = "USD", amount = 125 } },
                    new { model = "claude-haiku-4-5-20251001", tokens = new { input = 10, output = 5, cache_read = 0, cache_creation = 0 }, estimated_cost = new { currency = "USD", amount = 3 } },
                },
            };
            // Two pages per day: one actor each.
            return r.Query["page"].Count == 0
                ? Results.Json(new { data = new[] { Record("ada@example.test", 3) }, has_more = true, next_page = "p2" })
                : Results.Json(new { data = new[] { Record("bob@example.test", 1) }, has_more = false, next_page = (string?)null });
        });
    }

    [Theory, BothProviders]
    public async Task Usage_and_cost_report_are_stored_exactly_once_after_retries(DatabaseProvider provider)
    {
        await using var server = await FakeProviderServer.StartAsync();
        Serve(server);
        var logs = new LogCapture();
        await using var host = await HostAsync(provider, logs, Settings(server));

        var run = await RunAsync(host, "anthropic-usage");
        Assert.True(run.Succeeded, run.Error);
        Assert.Equal(3, run.Counts!["usage.inserted"]);
        Assert.Equal(6, run.Counts["costs.inserted"]);
        Assert.Equal(3, run.Counts["costs.pages"]);
        Assert.Equal(2, run.Counts["retries"]);

        await using (var db = await host.DbAsync())
        {
            var usage = await db.Set<ProviderUsage>().AsNoTracking().ToListAsync();
            Assert.Equal(3, usage.Count);
            Assert.All(usage, u => Assert.Equal((1500L, 20000L, 500L, 1000L, 700L), (u.InputTokens, u.CacheReadTokens, u.CacheWrite5mTokens, u.CacheWrite1hTokens, u.OutputTokens)));
            Assert.All(usage, u => Assert.Equal(("wrkspc_01", "apikey_01", "claude-sonnet-4-5-20250929"), (u.ProjectRef, u.ApiKeyRef, u.Model)));
            var costs = await db.Set<ProviderCost>().AsNoTracking().ToListAsync();
            Assert.Equal(3 * 12.345, costs.Where(c => c.Model.Length > 0).Sum(c => c.AmountUsd), 9); // "1234.5" cents
            Assert.Equal(3 * 0.005, costs.Where(c => c.LineItem == "Web Search").Sum(c => c.AmountUsd), 9);
        }
        var first = server.RequestsTo(Messages)[0];
        Assert.Equal(AnthropicKey, first.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", first.Headers["anthropic-version"]);
        Assert.Contains("group_by[]=model", Uri.UnescapeDataString(first.Query));

        var rerun = await RunAsync(host, "anthropic-usage");
        Assert.True(rerun.Succeeded, rerun.Error);
        Assert.Equal(0, rerun.Counts!["usage.inserted"] + rerun.Counts["costs.inserted"]);
        await using (var db = await host.DbAsync())
        {
            Assert.Equal(3, await db.Set<ProviderUsage>().CountAsync());
            Assert.Equal(6, await db.Set<ProviderCost>().CountAsync());
        }
        Assert.DoesNotContain(logs.Messages, m => m.Contains(AnthropicKey, StringComparison.Ordinal));
    }

    [Theory, BothProviders]
    public async Task Claude_Code_analytics_are_stored_per_actor_and_day_and_resume_at_today(DatabaseProvider provider)
    {
        await using var server = await FakeProviderServer.StartAsync();
        Serve(server);
        await using var host = await HostAsync(provider, new LogCapture(), Settings(server));

        var run = await RunAsync(host, "anthropic-claude-code");
        Assert.True(run.Succeeded, run.Error);
        Assert.Equal(6, run.Counts!["records"]);
        Assert.Equal(6, run.Counts["pages"]);
        await using (var db = await host.DbAsync())
        {
            var rows = await db.Set<ClaudeCodeUsage>().AsNoTracking().ToListAsync();
            Assert.Equal(6, rows.Count);
            var ada = rows.Where(r => r.Actor == "ada@example.test").ToList();
            Assert.Equal(3, ada.Count);
            Assert.All(ada, r => Assert.Equal((3L, 100L, 20L, 2L, 1L, 110L, 55L, 1000L, 10L), (r.Sessions, r.LinesAdded, r.LinesRemoved, r.Commits,
                r.PullRequests, r.InputTokens, r.OutputTokens, r.CacheReadTokens, r.CacheCreationTokens)));
            Assert.All(ada, r => Assert.Equal(1.28, r.EstimatedCostUsd, 9));
            Assert.Equal(Today, (await db.Set<ProviderSyncState>().SingleAsync(s => s.Stream == ClaudeCodeReportJob.Stream)).CompleteUntil);
        }

        var before = server.Requests.Count;
        var rerun = await RunAsync(host, "anthropic-claude-code");
        Assert.Equal(0, rerun.Counts!["inserted"]);
        Assert.Equal(2, rerun.Counts["updated"]);
        Assert.All(server.Requests.Skip(before), r => Assert.Contains("starting_at=" + Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.Query));
    }
}
