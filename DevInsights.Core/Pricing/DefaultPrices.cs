namespace DevInsights.Core.Pricing;

/// <summary>The prices shipped with the app (USD per million tokens, list prices as of late 2026, shared TELEMETRY.md §6).
/// Inserted at start as <see cref="PriceSources.Default"/> versions effective from <see cref="EffectiveFrom"/>; admins
/// override them with newer versions, never by editing these.</summary>
public static class DefaultPrices
{
    /// <summary>Early enough to price every event this app can hold.</summary>
    public static readonly DateOnly EffectiveFrom = new(2025, 1, 1);

    private static PriceRates Opus(string model) => new(PriceProviders.Anthropic, model, 5, 25, 6.25, 10, 0.50);
    private static PriceRates Sonnet(string model) => new(PriceProviders.Anthropic, model, 3, 15, 3.75, 6, 0.30);

    // OpenAI bills no cache writes: cache-creation tokens (none are reported) would price as input. Where the facts
    // give no cached-input rate, cached tokens price as input: an over-estimate rather than an invented discount.
    public static readonly IReadOnlyList<PriceRates> All =
    [
        Opus("claude-opus-4-5"), Opus("claude-opus-4-6"), Opus("claude-opus-4-7"), Opus("claude-opus-4-8"),
        Sonnet("claude-sonnet-4"), Sonnet("claude-sonnet-4-5"), Sonnet("claude-sonnet-4-6"),
        new(PriceProviders.Anthropic, "claude-haiku-4-5", 1, 5, 1.25, 2, 0.10),
        new(PriceProviders.OpenAI, "gpt-5", 1.25, 10, null, null, 0.125),
        new(PriceProviders.OpenAI, "gpt-5-codex", 1.25, 10, null, null, 0.125),
        new(PriceProviders.OpenAI, "gpt-5-mini", 0.25, 2, null, null, null),
        new(PriceProviders.OpenAI, "gpt-4.1", 2, 8, null, null, 0.50),
        new(PriceProviders.OpenAI, "gpt-4o", 2.50, 10, null, null, 1.25),
        new(PriceProviders.OpenAI, "o4-mini", 1.10, 4.40, null, null, null),
    ];

    /// <summary>Dated or variant ids the automatic alias rules of <see cref="ModelNames"/> do not reach.</summary>
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["claude-sonnet-4-0"] = "claude-sonnet-4",
        ["claude-4-sonnet"] = "claude-sonnet-4",
    };
}
