namespace DevInsights.Core.Pricing;

/// <summary>Token counts as DevInsights stores them for every client: uncached input, cache read, cache creation
/// (written), output (reasoning included).</summary>
public readonly record struct TokenCounts(long Input, long Output, long CacheRead, long CacheCreation, long CacheCreation1h = 0)
{
    public long Total => Input + Output + CacheRead + CacheCreation + CacheCreation1h;
}

/// <summary>tokens × price. One formula serves both providers because ingestion stores uncached input apart from cached
/// input: Anthropic <c>in·p_in + cw·p_cw + cr·p_cr + out·p_out</c>; OpenAI <c>(input − cached)·p_in + cached·p_cached +
/// out·p_out</c> (the same, with no cache writes).</summary>
public static class CostCalculator
{
    public static double Cost(Price price, TokenCounts tokens)
    {
        var cacheRead = price.CacheReadPerMtok ?? price.InputPerMtok;
        var write5m = price.CacheWrite5mPerMtok ?? price.InputPerMtok;
        var write1h = price.CacheWrite1hPerMtok ?? write5m;
        var micro = tokens.Input * price.InputPerMtok + tokens.Output * price.OutputPerMtok + tokens.CacheRead * cacheRead
            + tokens.CacheCreation * write5m + tokens.CacheCreation1h * write1h;
        return micro / 1_000_000d;
    }
}
