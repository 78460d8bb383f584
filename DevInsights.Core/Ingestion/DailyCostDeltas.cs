namespace DevInsights.Core.Ingestion;

/// <summary>What a transaction changes in one <c>daily_costs</c> row (same key as <c>daily_usage</c>): the events the
/// ingestion writer inserts, or the events the repricer prices anew (each counted out with its old cost, in with its new).</summary>
internal sealed class DailyCostDelta(DailyUsageKey key)
{
    /// <summary>Adds a delta onto the row, creating it when missing; parameters are the key then the five figures.</summary>
    public const string UpsertSql =
        "INSERT INTO daily_costs (day, project_id, developer_id, client, model, client_cost_usd, computed_cost_usd, priced_events, "
        + "unpriced_events, unpriced_tokens) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9) "
        + "ON CONFLICT (day, project_id, developer_id, client, model) DO UPDATE SET "
        + "client_cost_usd = daily_costs.client_cost_usd + excluded.client_cost_usd, "
        + "computed_cost_usd = daily_costs.computed_cost_usd + excluded.computed_cost_usd, "
        + "priced_events = daily_costs.priced_events + excluded.priced_events, "
        + "unpriced_events = daily_costs.unpriced_events + excluded.unpriced_events, "
        + "unpriced_tokens = daily_costs.unpriced_tokens + excluded.unpriced_tokens";

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

    /// <summary>The statement's parameter values: the key, then the figures.</summary>
    public object[] Values() =>
        [Key.Day, Key.ProjectId, Key.DeveloperId, Key.Client, Key.Model, ClientCostUsd, ComputedCostUsd, PricedEvents, UnpricedEvents, UnpricedTokens];
}
