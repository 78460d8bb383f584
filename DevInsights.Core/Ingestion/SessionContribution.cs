using System.Data.Common;
using DevInsights.Core.Data;
using DevInsights.Core.Dashboard;
using DevInsights.Core.Rollups;

namespace DevInsights.Core.Ingestion;

/// <summary>What one session's stored events add to <c>daily_usage</c> and <c>daily_costs</c>, per (UTC day, project the
/// events are in, model), summed in the database with the writer's definitions (<see cref="DailyUsageDelta"/>,
/// <see cref="DailyCostDelta"/>, <see cref="EventPricing"/>): an event adds to daily_costs when it has tokens or a cost, is
/// priced when it has a computed cost, unpriced when it has tokens and none.</summary>
/// <param name="Cost">Null where none of the group's events adds to daily_costs (the writer makes no row for them).</param>
/// <param name="First">The group's first event, for the rollup range it touched.</param>
internal sealed record SessionContribution(DailyUsageDelta Usage, DailyCostDelta? Cost, DateTime First, DateTime Last)
{
    private const string Tokens = "(e.input_tokens + e.output_tokens + e.cache_read_tokens + e.cache_creation_tokens)";

    private static string Select(bool sqlite)
    {
        var day = DailyAggregateSql.DayOf(sqlite, "e.timestamp");
        return $"""
            SELECT {day}, e.project_id, COALESCE(e.model, ''), MIN(e.timestamp), MAX(e.timestamp), COUNT(*),
                SUM(CASE WHEN e.type = '{DailyUsageDelta.ApiRequestType}' THEN 1 ELSE 0 END), SUM(e.input_tokens), SUM(e.output_tokens),
                SUM(e.cache_read_tokens), SUM(e.cache_creation_tokens), SUM(COALESCE(e.cost_usd, 0)),
                SUM(CASE WHEN e.tool_name IS NOT NULL AND e.success IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN e.tool_name IS NOT NULL AND NOT e.success THEN 1 ELSE 0 END),
                SUM(CASE WHEN e.cost_source = '{EventCost.FromClient}' THEN COALESCE(e.cost_usd, 0) ELSE 0 END),
                SUM(COALESCE(e.computed_cost_usd, 0)), SUM(CASE WHEN e.computed_cost_usd IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN {Tokens} > 0 AND e.computed_cost_usd IS NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN {Tokens} > 0 AND e.computed_cost_usd IS NULL THEN {Tokens} ELSE 0 END),
                SUM(CASE WHEN {Tokens} > 0 OR e.cost_usd IS NOT NULL THEN 1 ELSE 0 END)
            FROM events e
            WHERE e.session_id = @session AND e.project_id <> @except
            GROUP BY {day}, e.project_id, COALESCE(e.model, '')
            """;
    }

    /// <summary>The contribution of <paramref name="session"/>'s events that are not in project <paramref name="except"/>
    /// (pass 0 for all), keyed by the project each event is in and the session's developer and client.</summary>
    public static async Task<List<SessionContribution>> ReadAsync(DbConnection connection, DbTransaction tx, bool sqlite, SessionRef session,
        long except, CancellationToken ct)
    {
        var rows = new List<SessionContribution>();
        await using var command = RollupSql.Command(connection, tx, Select(sqlite),
            new Dictionary<string, object> { ["@session"] = session.Id, ["@except"] = except });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = new DailyUsageKey(reader.GetFieldValue<DateOnly>(0), reader.GetInt64(1), session.DeveloperId ?? DailyUsage.None,
                session.Client, reader.GetString(2));
            var usage = new DailyUsageDelta(key)
            {
                Events = Long(reader, 5), ApiRequests = Long(reader, 6), InputTokens = Long(reader, 7), OutputTokens = Long(reader, 8),
                CacheReadTokens = Long(reader, 9), CacheCreationTokens = Long(reader, 10), CostUsd = Double(reader, 11),
                ToolCalls = Long(reader, 12), ToolErrors = Long(reader, 13),
            };
            var cost = Long(reader, 19) == 0 ? null : new DailyCostDelta(key)
            {
                ClientCostUsd = Double(reader, 14), ComputedCostUsd = Double(reader, 15), PricedEvents = Long(reader, 16),
                UnpricedEvents = Long(reader, 17), UnpricedTokens = Long(reader, 18),
            };
            rows.Add(new SessionContribution(usage, cost, UtcDateTimeConverter.AsUtc(reader.GetDateTime(3)), UtcDateTimeConverter.AsUtc(reader.GetDateTime(4))));
        }
        return rows;
    }

    // PostgreSQL sums bigint columns as numeric and SQLite may sum doubles that are all 0 as integers: convert, don't cast.
    private static long Long(DbDataReader reader, int i) => Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
    private static double Double(DbDataReader reader, int i) => Convert.ToDouble(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Counts the session's start on the no-model row of its start day under <paramref name="projectId"/>, in the
    /// matching contribution or a new one.</summary>
    public static void AddStart(List<SessionContribution> rows, SessionRef session, long projectId, DateTime startedAt)
    {
        var key = new DailyUsageKey(DateOnly.FromDateTime(startedAt), projectId, session.DeveloperId ?? DailyUsage.None, session.Client, DailyUsage.None);
        var row = rows.FirstOrDefault(r => r.Usage.Key == key);
        if (row is null) rows.Add(row = new SessionContribution(new DailyUsageDelta(key), null, startedAt, startedAt));
        row.Usage.SessionsStarted++;
    }
}
