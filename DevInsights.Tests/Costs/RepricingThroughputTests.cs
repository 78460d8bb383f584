using System.Diagnostics;
using System.Globalization;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Pricing;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DevInsights.Tests.Costs;

/// <summary>A throughput check, not a timed test: it reports how many stored events/s the repricer gets through when nothing
/// changed (the scan alone), when every event gets a price, and when an override re-prices half of them; it asserts only that
/// the figures are right. Scale it with <c>DEVINSIGHTS_REPRICE_EVENTS</c> and read the figures with
/// <c>dotnet test --filter "FullyQualifiedName~RepricingThroughput" --logger "console;verbosity=detailed"</c>.</summary>
[Trait("Category", "Throughput")]
public sealed class RepricingThroughputTests(ITestOutputHelper output)
{
    private const int EventsPerBatch = 1000;
    private static readonly DateTime Start = new(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    private static int Events =>
        int.TryParse(Environment.GetEnvironmentVariable("DEVINSIGHTS_REPRICE_EVENTS"), CultureInfo.InvariantCulture, out var n) && n >= EventsPerBatch
            ? n / EventsPerBatch * EventsPerBatch : 100_000;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Reprice_stored_events(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var queue = app.Services.GetRequiredService<IngestionQueue>();
        var projectId = await app.Services.GetRequiredService<UnassignedProject>().GetIdAsync();
        var load = Stopwatch.StartNew();
        for (var b = 0; b < Events / EventsPerBatch; b++) await queue.SubmitAsync(Batch(b, projectId));
        output.WriteLine($"{provider}: {Events:N0} events stored in {load.Elapsed.TotalSeconds:F1} s");
        await AnalyzeAsync(app);

        var repricer = app.Services.GetRequiredService<EventRepricer>();
        var catalog = app.Services.GetRequiredService<PriceCatalog>();
        async Task<RepriceResult> MeasureAsync(string what)
        {
            var watch = Stopwatch.StartNew();
            var result = await repricer.RunAsync();
            var seconds = watch.Elapsed.TotalSeconds;
            output.WriteLine($"  {what}: {result.Examined:N0} examined, {result.Repriced:N0} re-priced in {seconds:F2} s = "
                + $"{result.Examined / seconds:N0} events/s examined, {(result.Repriced == 0 ? 0 : result.Repriced / seconds):N0} events/s re-priced, {result.Transactions} transaction(s)");
            return result;
        }

        var nothing = await MeasureAsync("nothing changed (scan only)");
        Assert.Equal((Events, 0L, Events), (nothing.Examined, nothing.Repriced, nothing.StillUnpriced));

        await catalog.AddAsync(new PriceInput("openai", "acme-bulk", new DateOnly(2026, 1, 1), 1.25, 10, null, null, 0.125, null), "bench");
        var all = await MeasureAsync("every event newly priced");
        Assert.Equal((Events, Events, Events, 0L), (all.Examined, all.Repriced, all.NewlyPriced, all.StillUnpriced));

        // The events span ten days; an override from the sixth re-prices the later half.
        await catalog.AddAsync(new PriceInput("openai", "acme-bulk", DateOnly.FromDateTime(Start.AddDays(5)), 2, 12, null, null, 0.2, null), "bench");
        var half = await MeasureAsync("override of the later half");
        Assert.Equal((Events, Events / 2L, 0L), (half.Examined, half.Repriced, half.NewlyPriced));

        await using var db = await app.DbAsync();
        await RepricingTestKit.AssertRollupsEqualEventsAsync(db, projectId);
    }

    /// <summary>One session of 1,000 API requests of a model without a shipped price; every fourth carries the client's cost.
    /// Batches walk through ten days in order, so the later half of the ids is the later half of the days.</summary>
    private static IngestBatch Batch(int b, long projectId)
    {
        var sid = $"rp-{b}-{Guid.NewGuid():N}";
        var day = Start.AddDays(b * 10 / (Events / EventsPerBatch));
        var events = Enumerable.Range(0, EventsPerBatch).Select(i => new IngestEvent
        {
            ClientSessionId = sid, ClientEventId = $"{b}-{i}", Timestamp = day.AddSeconds(20 * i), Type = "api_request", Model = "acme-bulk",
            InputTokens = 1200 + i, OutputTokens = 300, CacheReadTokens = 15_000, CacheCreationTokens = 0, CostUsd = i % 4 == 0 ? 0.0125 : null,
            DurationMs = 950,
        }).ToList();
        return new IngestBatch("api", events, new Dictionary<string, SessionContext> { [sid] = new("codex", null, projectId, null, null) });
    }

    private static async Task AnalyzeAsync(DevInsightsFactory app)
    {
        await using var connection = await app.Services.GetRequiredService<DatabaseConnections>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "ANALYZE";
        await command.ExecuteNonQueryAsync();
    }
}
