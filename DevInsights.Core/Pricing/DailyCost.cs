namespace DevInsights.Core.Pricing;

/// <summary>One day of cost for one (project, developer, client, model): the client's own estimate beside token × price,
/// and what could not be priced. Kept by the ingestion writer in the same transaction as the events, like
/// <see cref="Dashboard.DailyUsage"/> (same key, '' for "none").</summary>
public sealed class DailyCost
{
    public DateOnly Day { get; set; }
    public long ProjectId { get; set; }
    public required string DeveloperId { get; set; }
    public required string Client { get; set; }
    public required string Model { get; set; }
    /// <summary>Sum of the costs the clients reported (Claude Code's <c>cost_usd</c>).</summary>
    public double ClientCostUsd { get; set; }
    /// <summary>Sum of tokens × price of the priced events.</summary>
    public double ComputedCostUsd { get; set; }
    public long PricedEvents { get; set; }
    /// <summary>Events with tokens whose model has no price (or no model): shown as unpriced, never as $0.</summary>
    public long UnpricedEvents { get; set; }
    public long UnpricedTokens { get; set; }
}
