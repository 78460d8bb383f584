namespace DevInsights.Core.Ingestion;

/// <summary>What a transaction's new events add to one <c>daily_costs</c> row (same key as <c>daily_usage</c>).</summary>
internal sealed class DailyCostDelta(DailyUsageKey key)
{
    public DailyUsageKey Key { get; } = key;
    public double ClientCostUsd;
    public double ComputedCostUsd;
    public long PricedEvents;
    public long UnpricedEvents;
    public long UnpricedTokens;

    /// <summary>The row's values under <paramref name="key"/>, in the parameter order of <see cref="DailyAggregateSql"/>.</summary>
    public object[] Values(DailyUsageKey key) =>
        [key.Day, key.ProjectId, key.DeveloperId, key.Client, key.Model, ClientCostUsd, ComputedCostUsd, PricedEvents, UnpricedEvents, UnpricedTokens];

    /// <summary>Sums the inserted rows that carry a cost or tokens, ordered by key (one lock order for concurrent writers).</summary>
    public static List<DailyCostDelta> FromRows(IEnumerable<EventRow> rows)
    {
        var byKey = new Dictionary<DailyUsageKey, DailyCostDelta>();
        foreach (var row in rows)
        {
            var cost = row.Cost;
            if (!row.Inserted || (cost.Tokens == 0 && cost.CostUsd is null)) continue;
            var key = DailyUsageKey.Of(row);
            if (!byKey.TryGetValue(key, out var delta)) byKey.Add(key, delta = new DailyCostDelta(key));
            if (cost.Source == EventCost.FromClient) delta.ClientCostUsd += cost.CostUsd ?? 0;
            if (cost.ComputedCostUsd is { } computed)
            {
                delta.ComputedCostUsd += computed;
                delta.PricedEvents++;
            }
            if (cost.Unpriced)
            {
                delta.UnpricedEvents++;
                delta.UnpricedTokens += cost.Tokens;
            }
        }
        return [.. byKey.Values.OrderBy(d => d.Key, DailyKeyOrder.Instance)];
    }
}
