using System.Globalization;
using System.Text.Json;
using DevInsights.Core.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static DevInsights.Core.Providers.ProviderJson;

namespace DevInsights.Core.Providers;

/// <summary><c>anthropic-usage</c>: Anthropic's Messages usage report (grouped by model, workspace and API key) and daily cost
/// report (grouped by workspace and description; amounts are decimal strings in cents), from each stream's last complete bucket.</summary>
public sealed class AnthropicUsageJob(IHttpClientFactory clients, ProviderStore store, IOptions<ProvidersOptions> options, TimeProvider clock,
    ILogger<AnthropicUsageJob> logger) : ProviderJobBase(clients, store, clock, logger), IDevInsightsJob
{
    public const string Provider = "anthropic";
    public const string ClientName = "provider-anthropic";
    public const string UsageStream = "anthropic/messages";
    public const string CostsStream = "anthropic/costs";

    public string Name => "anthropic-usage";
    public string Description => "Anthropic organisation usage (Messages) and cost report";
    public string? DefaultSchedule => "0 20 * * * ?";
    protected override ProviderOptionsBase Options => options.Value.Anthropic;
    protected override string ProviderName => "Anthropic";
    protected override string KeySetting => "DevInsights:Providers:Anthropic:AdminKey";

    /// <summary>Anthropic's admin API authentication.</summary>
    public static void Authorize(HttpRequestMessage request, string? key)
    {
        request.Headers.Add("x-api-key", key);
        request.Headers.Add("anthropic-version", "2023-06-01");
    }

    public async Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct)
    {
        var key = options.Value.Anthropic.AdminKey;
        var http = Http(ClientName, r => Authorize(r, key));
        var now = Clock.GetUtcNow().UtcDateTime;
        var (width, limit) = Buckets(options.Value.Anthropic.BucketWidth);

        var usageStart = await StartOfAsync(UsageStream, now, ct);
        var usage = await new BucketStream<ProviderUsage>(http, Store, UsageStream).SyncAsync(usageStart, now,
            page => $"/v1/organizations/usage_report/messages?starting_at={Rfc(usageStart)}&bucket_width={width}"
                + $"&group_by[]=model&group_by[]=workspace_id&group_by[]=api_key_id&limit={limit}" + OpenAIUsageJob.Page(page),
            Times, (bucket, s, e) => OpenAIUsageJob.Results(bucket).Select(r => UsageRow(r, s, e, now)), Store.UpsertUsageAsync, context.Progress, ct);

        var costsStart = await StartOfAsync(CostsStream, now, ct);
        var costs = await new BucketStream<ProviderCost>(http, Store, CostsStream).SyncAsync(costsStart, now,
            page => $"/v1/organizations/cost_report?starting_at={Rfc(costsStart)}&group_by[]=workspace_id&group_by[]=description&limit=31"
                + OpenAIUsageJob.Page(page),
            Times, (bucket, s, e) => OpenAIUsageJob.Results(bucket).Select(r => CostRow(r, s, e, now)), Store.UpsertCostsAsync, context.Progress, ct);

        return Outcome("Anthropic", http, ("usage", usage), ("costs", costs));
    }

    private static ProviderUsage UsageRow(JsonElement r, DateTime start, DateTime end, DateTime now)
    {
        var cacheCreation = Child(r, "cache_creation");
        return new ProviderUsage
        {
            Provider = Provider, BucketStart = start, BucketEnd = end, GroupKey = GroupKey(r),
            ProjectRef = Text(r, "workspace_id"), ApiKeyRef = Text(r, "api_key_id"), UserRef = "", Model = Text(r, "model"),
            InputTokens = Count(r, "uncached_input_tokens"), CacheReadTokens = Count(r, "cache_read_input_tokens"),
            CacheWrite5mTokens = cacheCreation is { } c5 ? Count(c5, "ephemeral_5m_input_tokens") : 0,
            CacheWrite1hTokens = cacheCreation is { } c1 ? Count(c1, "ephemeral_1h_input_tokens") : 0,
            OutputTokens = Count(r, "output_tokens"), FetchedAt = now,
        };
    }

    private static ProviderCost CostRow(JsonElement r, DateTime start, DateTime end, DateTime now) => new()
    {
        Provider = Provider, BucketStart = start, BucketEnd = end, GroupKey = GroupKey(r), ProjectRef = Text(r, "workspace_id"), ApiKeyRef = "",
        LineItem = Text(r, "description") is { Length: > 0 } description ? description : Text(r, "cost_type"), Model = Text(r, "model"),
        // Cents as a decimal string: decimal keeps "123.45" exact before the one conversion to dollars.
        AmountUsd = (double)(Decimal(r, "amount") / 100m), FetchedAt = now,
    };

    private static (DateTime, DateTime) Times(JsonElement bucket) => (Rfc3339(bucket, "starting_at"), Rfc3339(bucket, "ending_at"));

    internal static string Rfc(DateTime utc) => Uri.EscapeDataString(utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
