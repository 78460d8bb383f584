using System.Text.Json;
using DevInsights.Core.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static DevInsights.Core.Providers.ProviderJson;

namespace DevInsights.Core.Providers;

/// <summary><c>openai-usage</c>: OpenAI's organisation completions usage (grouped by project, model, API key and user) and
/// daily costs (grouped by project and line item), from each stream's last complete bucket.</summary>
public sealed class OpenAIUsageJob(IHttpClientFactory clients, ProviderStore store, IOptions<ProvidersOptions> options, TimeProvider clock,
    ILogger<OpenAIUsageJob> logger) : ProviderJobBase(clients, store, clock, logger), IDevInsightsJob
{
    public const string Provider = "openai";
    public const string ClientName = "provider-openai";
    public const string UsageStream = "openai/completions";
    public const string CostsStream = "openai/costs";

    public string Name => "openai-usage";
    public string Description => "OpenAI organisation usage (completions) and costs";
    public string? DefaultSchedule => "0 15 * * * ?";
    protected override ProviderOptionsBase Options => options.Value.OpenAI;
    protected override string ProviderName => "OpenAI";
    protected override string KeySetting => "DevInsights:Providers:OpenAI:AdminKey";

    public async Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct)
    {
        var key = options.Value.OpenAI.AdminKey;
        var http = Http(ClientName, r => r.Headers.Authorization = new("Bearer", key));
        var now = Clock.GetUtcNow().UtcDateTime;
        var (width, limit) = Buckets(options.Value.OpenAI.BucketWidth);

        var usageStart = await StartOfAsync(UsageStream, now, ct);
        var usage = await new BucketStream<ProviderUsage>(http, Store, UsageStream).SyncAsync(usageStart, now,
            page => $"/v1/organization/usage/completions?start_time={Unix(usageStart)}&bucket_width={width}&group_by=project_id&group_by=model"
                + $"&group_by=api_key_id&group_by=user_id&limit={limit}" + Page(page),
            Times, (bucket, s, e) => Results(bucket).Select(r => UsageRow(r, s, e, now)), Store.UpsertUsageAsync, context.Progress, ct);

        var costsStart = await StartOfAsync(CostsStream, now, ct);
        var costs = await new BucketStream<ProviderCost>(http, Store, CostsStream).SyncAsync(costsStart, now,
            page => $"/v1/organization/costs?start_time={Unix(costsStart)}&bucket_width=1d&group_by=project_id&group_by=line_item&limit=31" + Page(page),
            Times, (bucket, s, e) => Results(bucket).Select(r => CostRow(r, s, e, now)), Store.UpsertCostsAsync, context.Progress, ct);

        return Outcome("OpenAI", http, ("usage", usage), ("costs", costs));
    }

    private static ProviderUsage UsageRow(JsonElement r, DateTime start, DateTime end, DateTime now)
    {
        var input = Count(r, "input_tokens");
        var cached = Count(r, "input_cached_tokens");
        return new ProviderUsage
        {
            Provider = Provider, BucketStart = start, BucketEnd = end, GroupKey = GroupKey(r),
            ProjectRef = Text(r, "project_id"), ApiKeyRef = Text(r, "api_key_id"), UserRef = Text(r, "user_id"), Model = Text(r, "model"),
            // input_tokens includes the cached ones.
            InputTokens = Math.Max(0, input - cached), CacheReadTokens = cached, OutputTokens = Count(r, "output_tokens"),
            Requests = Count(r, "num_model_requests"), FetchedAt = now,
        };
    }

    private static ProviderCost CostRow(JsonElement r, DateTime start, DateTime end, DateTime now)
    {
        var lineItem = Text(r, "line_item");
        // Line items read "<model>, input" / "<model>, output" for token charges.
        var comma = lineItem.IndexOf(',');
        return new ProviderCost
        {
            Provider = Provider, BucketStart = start, BucketEnd = end, GroupKey = GroupKey(r), ProjectRef = Text(r, "project_id"),
            ApiKeyRef = Text(r, "api_key_id"), LineItem = lineItem, Model = comma > 0 ? lineItem[..comma].Trim() : "",
            AmountUsd = Child(r, "amount") is { } amount ? (double)Decimal(amount, "value") : 0, FetchedAt = now,
        };
    }

    private static (DateTime, DateTime) Times(JsonElement bucket) => (UnixSeconds(bucket, "start_time"), UnixSeconds(bucket, "end_time"));

    internal static IEnumerable<JsonElement> Results(JsonElement bucket) =>
        bucket.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array ? results.EnumerateArray() : [];

    private static long Unix(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds();

    internal static string Page(string? cursor) => cursor is null ? "" : "&page=" + Uri.EscapeDataString(cursor);
}
