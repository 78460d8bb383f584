namespace DevInsights.Core.Pricing;

/// <summary>One price version: USD per million tokens of one model, applying from <see cref="EffectiveFrom"/> until a later
/// version of the same model. Its id is the version recorded beside every cost computed with it.</summary>
public sealed class Price
{
    public long Id { get; set; }
    /// <summary><see cref="PriceProviders.Anthropic"/> or <see cref="PriceProviders.OpenAI"/> (or another LiteLLM provider name).</summary>
    public required string Provider { get; set; }
    /// <summary>The canonical model id, e.g. <c>claude-sonnet-4-5</c>; dated ids reach it through aliases.</summary>
    public required string Model { get; set; }
    public DateOnly EffectiveFrom { get; set; }
    public double InputPerMtok { get; set; }
    public double OutputPerMtok { get; set; }
    /// <summary>Anthropic's 5-minute cache write; also the rate of cache-creation tokens whose duration is not known.</summary>
    public double? CacheWrite5mPerMtok { get; set; }
    public double? CacheWrite1hPerMtok { get; set; }
    /// <summary>Cache read (Anthropic) or cached input (OpenAI). Without it cached tokens are priced as input.</summary>
    public double? CacheReadPerMtok { get; set; }
    /// <summary><see cref="PriceSources"/>.</summary>
    public required string Source { get; set; }
    public string? Note { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
}

/// <summary>A model's rates in USD per million tokens, as shipped (<see cref="DefaultPrices"/>) or imported
/// (<see cref="LiteLlmPrices"/>), before they become a <see cref="Price"/> version.</summary>
public sealed record PriceRates(string Provider, string Model, double Input, double Output, double? CacheWrite5m, double? CacheWrite1h, double? CacheRead)
{
    public Price ToVersion(DateOnly effectiveFrom, string source, string? note, DateTime createdAt, string? createdBy = null) => new()
    {
        Provider = Provider, Model = Model, EffectiveFrom = effectiveFrom, InputPerMtok = Input, OutputPerMtok = Output,
        CacheWrite5mPerMtok = CacheWrite5m, CacheWrite1hPerMtok = CacheWrite1h, CacheReadPerMtok = CacheRead,
        Source = source, Note = note, CreatedAt = createdAt, CreatedBy = createdBy,
    };

    /// <summary>Whether <paramref name="price"/> is a version of this model with exactly these rates.</summary>
    public bool SameAs(Price? price) =>
        price is not null && price.Model == Model && price.InputPerMtok == Input && price.OutputPerMtok == Output
        && price.CacheWrite5mPerMtok == CacheWrite5m && price.CacheWrite1hPerMtok == CacheWrite1h && price.CacheReadPerMtok == CacheRead;
}

/// <summary>A model id that prices as another, e.g. <c>claude-sonnet-4-5-20250929</c> → <c>claude-sonnet-4-5</c>.</summary>
public sealed class ModelAlias
{
    public required string Alias { get; set; }
    public required string Model { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class PriceProviders
{
    public const string Anthropic = "anthropic";
    public const string OpenAI = "openai";
}

public static class PriceSources
{
    /// <summary>Shipped with the app (<see cref="DefaultPrices"/>).</summary>
    public const string Default = "default";
    public const string Admin = "admin";
    public const string LiteLlm = "litellm";
}
