using System.Globalization;

namespace DevInsights.Core.Ingestion;

/// <summary>The statements that keep <c>daily_usage</c> and <c>daily_costs</c>: the writer's upserts adding a transaction's
/// sums, and the subtraction of a session's contribution when it moves to another project. Parameters are positional,
/// @p0..@pN in the order of <see cref="DailyUsageDelta.Values"/> and <see cref="DailyCostDelta.Values"/>.</summary>
internal static class DailyAggregateSql
{
    private const string Key = "day = @p0 AND project_id = @p1 AND developer_id = @p2 AND client = @p3 AND model = @p4";

    public const string UpsertUsage =
        $"INSERT INTO daily_usage ({Dashboard.DailyUsageRebuilder.Columns}) "
        + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14) "
        + "ON CONFLICT (day, project_id, developer_id, client, model) DO UPDATE SET events = daily_usage.events + excluded.events, "
        + "api_requests = daily_usage.api_requests + excluded.api_requests, input_tokens = daily_usage.input_tokens + excluded.input_tokens, "
        + "output_tokens = daily_usage.output_tokens + excluded.output_tokens, "
        + "cache_read_tokens = daily_usage.cache_read_tokens + excluded.cache_read_tokens, "
        + "cache_creation_tokens = daily_usage.cache_creation_tokens + excluded.cache_creation_tokens, "
        + "cost_usd = daily_usage.cost_usd + excluded.cost_usd, tool_calls = daily_usage.tool_calls + excluded.tool_calls, "
        + "tool_errors = daily_usage.tool_errors + excluded.tool_errors, "
        + "sessions_started = daily_usage.sessions_started + excluded.sessions_started";

    public const string UpsertCost =
        "INSERT INTO daily_costs (day, project_id, developer_id, client, model, client_cost_usd, computed_cost_usd, priced_events, "
        + "unpriced_events, unpriced_tokens) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9) "
        + "ON CONFLICT (day, project_id, developer_id, client, model) DO UPDATE SET "
        + "client_cost_usd = daily_costs.client_cost_usd + excluded.client_cost_usd, "
        + "computed_cost_usd = daily_costs.computed_cost_usd + excluded.computed_cost_usd, "
        + "priced_events = daily_costs.priced_events + excluded.priced_events, "
        + "unpriced_events = daily_costs.unpriced_events + excluded.unpriced_events, "
        + "unpriced_tokens = daily_costs.unpriced_tokens + excluded.unpriced_tokens";

    /// <summary>Takes a contribution off an existing row (a missing row stays missing: nothing goes negative). A sum of
    /// doubles becomes exactly 0 once nothing it counts remains, rather than a rounding residue.</summary>
    public const string SubtractUsage =
        "UPDATE daily_usage SET events = events - @p5, api_requests = api_requests - @p6, input_tokens = input_tokens - @p7, "
        + "output_tokens = output_tokens - @p8, cache_read_tokens = cache_read_tokens - @p9, cache_creation_tokens = cache_creation_tokens - @p10, "
        + "cost_usd = CASE WHEN events = @p5 THEN 0 ELSE cost_usd - @p11 END, tool_calls = tool_calls - @p12, tool_errors = tool_errors - @p13, "
        + "sessions_started = sessions_started - @p14 WHERE " + Key;

    public const string SubtractCost =
        "UPDATE daily_costs SET client_cost_usd = client_cost_usd - @p5, "
        + "computed_cost_usd = CASE WHEN priced_events = @p7 THEN 0 ELSE computed_cost_usd - @p6 END, priced_events = priced_events - @p7, "
        + "unpriced_events = unpriced_events - @p8, unpriced_tokens = unpriced_tokens - @p9 WHERE " + Key;

    /// <summary>A row that counts no event and no session start is gone from the raw data: it is deleted, not kept at 0.</summary>
    public const string DeleteEmptyUsage = "DELETE FROM daily_usage WHERE " + Key + " AND events = 0 AND sessions_started = 0";

    /// <summary>A cost row whose key has no event left (daily_usage counts every event of the same key) is deleted.</summary>
    public const string DeleteEmptyCost =
        "DELETE FROM daily_costs WHERE " + Key + " AND NOT EXISTS (SELECT 1 FROM daily_usage u WHERE u.day = daily_costs.day "
        + "AND u.project_id = daily_costs.project_id AND u.developer_id = daily_costs.developer_id AND u.client = daily_costs.client "
        + "AND u.model = daily_costs.model AND u.events > 0)";

    /// <summary>The UTC date of a timestamp column, as daily_usage keys it.</summary>
    public static string DayOf(bool sqlite, string column) => sqlite ? $"date({column})" : $"({column} AT TIME ZONE 'UTC')::date";

    /// <summary>Positional values as the named parameters <c>@p0</c>..<c>@pN</c>.</summary>
    public static Dictionary<string, object> Parameters(object[] values)
    {
        var parameters = new Dictionary<string, object>(values.Length);
        for (var i = 0; i < values.Length; i++) parameters["@p" + i.ToString(CultureInfo.InvariantCulture)] = values[i];
        return parameters;
    }
}
