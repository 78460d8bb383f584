namespace DevInsights.Core.Ingestion;

/// <summary>What a transaction changes in one <c>daily_costs</c> row (same key as <c>daily_usage</c>): the events the
/// ingestion writer inserts, or the events the repricer prices anew (each counted out with its old cost, in with its new).</summary>
internal sealed class DailyCostDelta(DailyUsageKey key)
{
    public DailyUsageKey Key { get; } = key;
    public double ClientCostUsd;
    public double ComputedCostUsd;
    public long PricedEvents;
    public long UnpricedEvents;
    public long UnpricedTokens;

    /// <summary>Whether an event with this cost has a place in <c>daily_costs</c> at all: it carries tokens or a cost.</summary>
    public static bool Counts(EventCost cost) => cost.Tokens != 0 || cost.CostUsd is not null;

    /// <summary>Counts one event's cost in (<paramref name="sign"/> 1) or out (-1).</summary>
    public void Add(EventCost cost, int sign = 1)
    {
        if (cost.Source == EventCost.FromClient) ClientCostUsd += sign * (cost.CostUsd ?? 0);
        if (cost.ComputedCostUsd is { } computed)
        {
            ComputedCostUsd += sign * computed;
            PricedEvents += sign;
        }
        if (cost.Unpriced)
        {
            UnpricedEvents += sign;
            UnpricedTokens += sign * cost.Tokens;
        }
    }

    /// <summary>The row's values under its own key, in the parameter order of <see cref="DailyAggregateSql"/>.</summary>
    public object[] Values() => Values(Key);

    /// <summary>The row's values under <paramref name="key"/> (another project's when a session moves).</summary>
    public object[] Values(DailyUsageKey key) =>
        [key.Day, key.ProjectId, key.DeveloperId, key.Client, key.Model, ClientCostUsd, ComputedCostUsd, PricedEvents, UnpricedEvents, UnpricedTokens];
}
