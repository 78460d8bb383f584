using System.Globalization;
using System.Text.Json;
using DevInsights.Core.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static DevInsights.Core.Providers.ProviderJson;

namespace DevInsights.Core.Providers;

/// <summary><c>anthropic-claude-code</c>: Anthropic's Claude Code analytics (one record per actor per day: sessions, lines,
/// commits, pull requests, tokens and estimated cost per model), day by day from the last complete day. Off unless
/// <c>DevInsights:Providers:Anthropic:ClaudeCodeReport</c> is true and the admin key is set.</summary>
public sealed class ClaudeCodeReportJob(IHttpClientFactory clients, ProviderStore store, IOptions<ProvidersOptions> options, TimeProvider clock,
    ILogger<ClaudeCodeReportJob> logger) : ProviderJobBase(clients, store, clock, logger), IDevInsightsJob
{
    public const string Stream = "anthropic/claude_code";

    public string Name => "anthropic-claude-code";
    public string Description => "Anthropic Claude Code analytics report, per actor and day";
    public string? DefaultSchedule => "0 40 * * * ?";
    protected override ProviderOptionsBase Options => options.Value.Anthropic;
    protected override string ProviderName => "Anthropic";
    protected override string KeySetting => "DevInsights:Providers:Anthropic:AdminKey";

    string? IDevInsightsJob.DisabledReason => DisabledReason
        ?? (options.Value.Anthropic.ClaudeCodeReport ? null : "not configured (DevInsights:Providers:Anthropic:ClaudeCodeReport is false)");

    public async Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct)
    {
        var key = options.Value.Anthropic.AdminKey;
        var http = Http(AnthropicUsageJob.ClientName, r => AnthropicUsageJob.Authorize(r, key));
        var now = Clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var first = DateOnly.FromDateTime(await StartOfAsync(Stream, now, ct));
        int pages = 0, records = 0, inserted = 0, updated = 0;
        var days = today.DayNumber - first.DayNumber + 1;
        for (var day = first; day <= today; day = day.AddDays(1))
        {
            string? cursor = null;
            do
            {
                using var page = await http.GetAsync($"/v1/organizations/usage_report/claude_code?starting_at={day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&limit=100"
                    + OpenAIUsageJob.Page(cursor), ct);
                var root = page.RootElement;
                var rows = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
                    ? data.EnumerateArray().Select(r => Row(r, day, now)).ToList() : [];
                var (i, u) = await Store.UpsertClaudeCodeAsync(rows, ct);
                (pages, records, inserted, updated) = (pages + 1, records + rows.Count, inserted + i, updated + u);
                cursor = NextPage(root);
            }
            while (cursor is not null);
            // Today is still being counted: only earlier days are complete.
            if (day < today) await Store.AdvanceAsync(Stream, day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), ct);
            context.Progress.Report(new JobProgress((double)(day.DayNumber - first.DayNumber + 1) / days, $"{day:yyyy-MM-dd}: {records} record(s)"));
        }
        var counts = new Dictionary<string, long>
        {
            ["days"] = days, ["pages"] = pages, ["records"] = records, ["inserted"] = inserted, ["updated"] = updated, ["retries"] = http.Retries,
        };
        return new JobOutcome($"Claude Code analytics: {records} record(s) over {days} day(s) in {pages} page(s), {inserted} new, {updated} updated", counts);
    }

    private static ClaudeCodeUsage Row(JsonElement r, DateOnly day, DateTime now)
    {
        var actor = Child(r, "actor");
        var actorType = actor is { } a ? Text(a, "type") : "";
        var actorName = actor is { } n ? (Text(n, "email_address") is { Length: > 0 } email ? email : Text(n, "api_key_name")) : "";
        var core = Child(r, "core_metrics");
        var lines = core is { } c ? Child(c, "lines_of_code") : null;
        long input = 0, output = 0, cacheRead = 0, cacheCreation = 0;
        decimal cents = 0;
        if (r.TryGetProperty("model_breakdown", out var models) && models.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in models.EnumerateArray())
            {
                if (Child(m, "tokens") is { } t)
                {
                    input += Count(t, "input");
                    output += Count(t, "output");
                    cacheRead += Count(t, "cache_read");
                    cacheCreation += Count(t, "cache_creation");
                }
                if (Child(m, "estimated_cost") is { } cost) cents += Decimal(cost, "amount");
            }
        }
        return new ClaudeCodeUsage
        {
            Day = day, ActorType = actorType, Actor = actorName,
            Sessions = core is { } s ? Count(s, "num_sessions") : 0,
            LinesAdded = lines is { } la ? Count(la, "added") : 0, LinesRemoved = lines is { } lr ? Count(lr, "removed") : 0,
            Commits = core is { } cm ? Count(cm, "commits_by_claude_code") : 0, PullRequests = core is { } pr ? Count(pr, "pull_requests_by_claude_code") : 0,
            InputTokens = input, OutputTokens = output, CacheReadTokens = cacheRead, CacheCreationTokens = cacheCreation,
            // Estimated cost amounts are in cents, like the cost report.
            EstimatedCostUsd = (double)(cents / 100m), FetchedAt = now,
        };
    }
}
