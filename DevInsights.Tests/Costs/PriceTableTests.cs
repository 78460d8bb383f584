using DevInsights.Core.Otlp;
using DevInsights.Core.Pricing;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Costs;

public sealed class PriceTableTests
{
    private static Price P(long id, string model, DateOnly from, double input, double output, double? write5m = null, double? write1h = null, double? read = null) => new()
    {
        Id = id, Provider = "anthropic", Model = model, EffectiveFrom = from, InputPerMtok = input, OutputPerMtok = output,
        CacheWrite5mPerMtok = write5m, CacheWrite1hPerMtok = write1h, CacheReadPerMtok = read, Source = PriceSources.Admin,
    };

    private static PriceTable Defaults(params Price[] extra) =>
        new(DefaultPrices.All.Select((d, i) => new Price
        {
            Id = i + 1, Provider = d.Provider, Model = d.Model, EffectiveFrom = DefaultPrices.EffectiveFrom, InputPerMtok = d.Input, OutputPerMtok = d.Output,
            CacheWrite5mPerMtok = d.CacheWrite5m, CacheWrite1hPerMtok = d.CacheWrite1h, CacheReadPerMtok = d.CacheRead, Source = PriceSources.Default,
        }).Concat(extra), DefaultPrices.Aliases);

    [Fact]
    public void Dated_prefixed_and_context_suffixed_ids_price_as_their_family()
    {
        var table = Defaults();
        var day = new DateOnly(2026, 11, 21);

        Assert.Equal("claude-sonnet-4-5", table.Find("claude-sonnet-4-5-20250929", day)!.Model);
        Assert.Equal("claude-opus-4-6", table.Find("claude-opus-4-6[1m]", day)!.Model);
        Assert.Equal("claude-haiku-4-5", table.Find("anthropic/claude-haiku-4-5-20251001", day)!.Model);
        Assert.Equal("gpt-4o", table.Find("gpt-4o-2024-08-06", day)!.Model);
        Assert.Equal("claude-sonnet-4", table.Find("claude-sonnet-4-0", day)!.Model); // shipped explicit alias
        Assert.Null(table.Find("gpt-5.5", day));
        Assert.Null(table.Find("", day));
        Assert.Null(table.Find("claude-sonnet-4-5", new DateOnly(2024, 12, 31))); // before any version
    }

    [Fact]
    public void The_version_effective_on_the_day_applies_and_the_newest_of_a_day_overrides()
    {
        var table = new PriceTable(
        [
            P(1, "m", new DateOnly(2026, 1, 1), 1, 2),
            P(2, "m", new DateOnly(2026, 6, 1), 3, 4),
            P(3, "m", new DateOnly(2026, 6, 1), 5, 6), // an admin's override of version 2
        ], new Dictionary<string, string> { ["my-alias"] = "m" });

        Assert.Equal(1, table.Find("m", new DateOnly(2026, 5, 31))!.Id);
        Assert.Equal(3, table.Find("m", new DateOnly(2026, 6, 1))!.Id);
        Assert.Equal(3, table.Find("MY-ALIAS-20260701", new DateOnly(2026, 7, 1))!.Id);
    }

    [Fact]
    public void Cache_tokens_are_priced_at_their_own_rates()
    {
        var sonnet = P(1, "claude-sonnet-4-5", DefaultPrices.EffectiveFrom, 3, 15, 3.75, 6, 0.30);
        Assert.Equal(3.0, CostCalculator.Cost(sonnet, new TokenCounts(1_000_000, 0, 0, 0)), 12);
        Assert.Equal(0.30, CostCalculator.Cost(sonnet, new TokenCounts(0, 0, 1_000_000, 0)), 12);
        Assert.Equal(3.75, CostCalculator.Cost(sonnet, new TokenCounts(0, 0, 0, 1_000_000)), 12);
        Assert.Equal(6.0, CostCalculator.Cost(sonnet, new TokenCounts(0, 0, 0, 0, 1_000_000)), 12);
        Assert.Equal(15.0, CostCalculator.Cost(sonnet, new TokenCounts(0, 1_000_000, 0, 0)), 12);
        // OpenAI: cached input at the cached rate; without one, at the input rate (never free).
        var gpt5 = new Price { Provider = "openai", Model = "gpt-5", InputPerMtok = 1.25, OutputPerMtok = 10, CacheReadPerMtok = 0.125, Source = "default" };
        Assert.Equal((600 * 1.25 + 400 * 0.125 + 200 * 10) / 1e6, CostCalculator.Cost(gpt5, new TokenCounts(600, 200, 400, 0)), 15);
        var mini = new Price { Provider = "openai", Model = "gpt-5-mini", InputPerMtok = 0.25, OutputPerMtok = 2, Source = "default" };
        Assert.Equal(400 * 0.25 / 1e6, CostCalculator.Cost(mini, new TokenCounts(0, 0, 400, 0)), 15);
    }

    public static TheoryData<string> ClaudeScenarioNames => new(ClaudeScenarios);

    [Theory]
    [MemberData(nameof(ClaudeScenarioNames))]
    public void Each_Claude_Code_request_computes_to_the_cost_Claude_Code_reported(string scenario)
    {
        var table = Defaults();
        var requests = Events(Claude, scenario).Where(e => e.Type == OtlpEventTypes.ApiRequest).ToList();
        Assert.NotEmpty(requests);
        foreach (var e in requests)
        {
            var price = table.Find(e.Model, DateOnly.FromDateTime(e.Timestamp));
            Assert.NotNull(price);
            var computed = CostCalculator.Cost(price, new TokenCounts(e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheCreationTokens));
            Assert.Equal(e.CostUsd!.Value, computed, 12);
        }
        Assert.Equal(ClaudeStdout(scenario).GetProperty("total_cost_usd").GetDouble(),
            requests.Sum(e => CostCalculator.Cost(table.Find(e.Model, DateOnly.FromDateTime(e.Timestamp))!, new TokenCounts(e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheCreationTokens))), 9);
    }
}
