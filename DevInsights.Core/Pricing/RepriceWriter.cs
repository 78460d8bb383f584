using System.Data.Common;
using DevInsights.Core.Data;
using DevInsights.Core.Ingestion;
using Npgsql;
using NpgsqlTypes;

namespace DevInsights.Core.Pricing;

/// <summary>Re-prices the changed events of one id range in one transaction, with every figure that sums them.</summary>
/// <remarks>Rows are touched in the ingestion writer's order (sessions by ascending id, then daily_usage, then daily_costs by
/// key), so on PostgreSQL a concurrent ingestion transaction waits for this one instead of deadlocking with it; and, like the
/// rollups and retention jobs, each transaction first holds the rollup state row, so retention never deletes events this
/// one has locked in another order.</remarks>
internal sealed class RepriceWriter(DbConnection connection, bool sqlite, PriceTable table, TimeProvider clock)
{
    /// <summary>Only events with tokens are ever priced.</summary>
    public const string HasTokens = "e.input_tokens + e.output_tokens + e.cache_read_tokens + e.cache_creation_tokens > 0";

    private PositionalCommand? _updateEvent;
    private PositionalCommand? _updateSession;
    private PositionalCommand? _updateDailyUsage;
    private PositionalCommand? _upsertDailyCost;

    private sealed record Change(long Id, EventCost Cost);

    private sealed class SessionChange
    {
        public double CostUsd;
        public double ComputedCostUsd;
        public long UnpricedEvents;
    }

    /// <param name="candidates">The ids the scan found changed; each is checked again under the transaction.</param>
    public async Task ApplyAsync(long after, long upto, HashSet<long> candidates, RepriceTotals totals, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Rollups.RollupSql.LockStateAsync(connection, tx, sqlite, ct);
        var changes = new List<Change>();
        var sessions = new SortedDictionary<long, SessionChange>();
        var daily = new SortedDictionary<DailyUsageKey, (double UsageCost, DailyCostDelta Cost)>();
        await using (var command = ReadCommand(tx, after, upto, candidates))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetInt64(0);
                if (!candidates.Contains(id)) continue;
                var timestamp = UtcDateTimeConverter.AsUtc(reader.GetDateTime(3));
                var model = reader.IsDBNull(4) ? null : reader.GetString(4);
                var tokens = new TokenCounts(reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8));
                long? priceId = reader.IsDBNull(11) ? null : reader.GetInt64(11);
                var stored = new EventCost(Nullable(reader, 9), Nullable(reader, 10), priceId, reader.IsDBNull(12) ? null : reader.GetString(12),
                    priceId is null, tokens.Total);
                var fresh = EventPricing.Price(tokens, model, stored.ClientCostUsd, timestamp, table);
                // Re-priced meanwhile by another pass (another instance) with this same table: nothing left to do.
                if (fresh.PriceId == stored.PriceId) continue;
                changes.Add(new Change(id, fresh));

                var costChange = (fresh.CostUsd ?? 0) - (stored.CostUsd ?? 0);
                var computedChange = (fresh.ComputedCostUsd ?? 0) - (stored.ComputedCostUsd ?? 0);
                var unpricedChange = (fresh.Unpriced ? 1 : 0) - (stored.Unpriced ? 1 : 0);
                if (!sessions.TryGetValue(reader.GetInt64(1), out var session)) sessions.Add(reader.GetInt64(1), session = new SessionChange());
                session.CostUsd += costChange;
                session.ComputedCostUsd += computedChange;
                session.UnpricedEvents += unpricedChange;

                var key = DailyUsageKey.Of(timestamp, reader.GetInt64(2), reader.IsDBNull(13) ? null : reader.GetString(13), reader.GetString(14), model);
                var row = daily.TryGetValue(key, out var existing) ? existing : (0, new DailyCostDelta(key));
                row.Cost.Add(stored, -1);
                row.Cost.Add(fresh);
                daily[key] = (row.UsageCost + costChange, row.Cost);

                totals.Repriced++;
                if (stored.PriceId is null) totals.NewlyPriced++;
                if (fresh.PriceId is null) totals.NowUnpriced++;
                totals.ComputedBefore += stored.ComputedCostUsd ?? 0;
                totals.ComputedAfter += fresh.ComputedCostUsd ?? 0;
            }
        }
        if (changes.Count == 0) return;

        await UpdateEventsAsync(tx, changes, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        _updateSession ??= new PositionalCommand(connection,
            "UPDATE sessions SET cost_usd = cost_usd + @p1, computed_cost_usd = computed_cost_usd + @p2, "
            // Sessions stored before prices existed (0007) never counted their unpriced events: never below none.
            + $"unpriced_events = {(sqlite ? "MAX" : "GREATEST")}(0, unpriced_events + @p3), updated_at = @p4 WHERE id = @p0", 5);
        foreach (var (id, s) in sessions)
            await _updateSession.Bind(tx, id, s.CostUsd, s.ComputedCostUsd, s.UnpricedEvents, now).ExecuteNonQueryAsync(ct);

        _updateDailyUsage ??= new PositionalCommand(connection,
            "UPDATE daily_usage SET cost_usd = cost_usd + @p5 WHERE day = @p0 AND project_id = @p1 AND developer_id = @p2 AND client = @p3 AND model = @p4", 6);
        foreach (var (k, (usageCost, _)) in daily)
            if (usageCost != 0) await _updateDailyUsage.Bind(tx, k.Day, k.ProjectId, k.DeveloperId, k.Client, k.Model, usageCost).ExecuteNonQueryAsync(ct);
        _upsertDailyCost ??= new PositionalCommand(connection, DailyAggregateSql.UpsertCost, 10);
        foreach (var (_, cost) in daily.Values)
            await _upsertDailyCost.Bind(tx, cost.Values()).ExecuteNonQueryAsync(ct);

        await tx.CommitAsync(ct);
        totals.Transactions++;
    }

    /// <summary>The range's events with tokens and their session's developer and client; on PostgreSQL only the candidates,
    /// locked, so a pass on another instance waits and then sees their new version.</summary>
    private DbCommand ReadCommand(DbTransaction tx, long after, long upto, HashSet<long> candidates)
    {
        var sql = "SELECT e.id, e.session_id, e.project_id, e.timestamp, e.model, e.input_tokens, e.output_tokens, e.cache_read_tokens, "
            + "e.cache_creation_tokens, e.cost_usd, e.computed_cost_usd, e.price_id, e.cost_source, s.developer_id, s.client "
            + "FROM events e JOIN sessions s ON s.id = e.session_id WHERE e.id > @after AND e.id <= @upto AND " + HasTokens;
        var parameters = new Dictionary<string, object> { ["@after"] = after, ["@upto"] = upto };
        if (!sqlite)
        {
            sql += " AND e.id = ANY(@ids) ORDER BY e.id FOR UPDATE OF e";
            parameters["@ids"] = candidates.ToArray();
        }
        return Rollups.RollupSql.Command(connection, tx, sql, parameters);
    }

    private async Task UpdateEventsAsync(DbTransaction tx, List<Change> changes, CancellationToken ct)
    {
        if (sqlite)
        {
            // In-process: one prepared statement re-bound per row is as fast as SQLite writes.
            _updateEvent ??= new PositionalCommand(connection,
                "UPDATE events SET cost_usd = @p1, computed_cost_usd = @p2, price_id = @p3, cost_source = @p4 WHERE id = @p0", 5);
            foreach (var c in changes)
                await _updateEvent.Bind(tx, c.Id, c.Cost.CostUsd, c.Cost.ComputedCostUsd, c.Cost.PriceId, c.Cost.Source).ExecuteNonQueryAsync(ct);
            return;
        }
        // PostgreSQL: one statement for the whole range rather than a round trip per event.
        await using var update = new NpgsqlCommand(
            "UPDATE events e SET cost_usd = u.cost, computed_cost_usd = u.computed, price_id = u.price, cost_source = u.source "
            + "FROM unnest(@ids, @costs, @computed, @prices, @sources) AS u(id, cost, computed, price, source) WHERE e.id = u.id",
            (NpgsqlConnection)connection, (NpgsqlTransaction)tx);
        update.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = changes.Select(c => c.Id).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("costs", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = changes.Select(c => c.Cost.CostUsd).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("computed", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = changes.Select(c => c.Cost.ComputedCostUsd).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("prices", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = changes.Select(c => c.Cost.PriceId).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("sources", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = changes.Select(c => c.Cost.Source).ToArray() });
        await update.ExecuteNonQueryAsync(ct);
    }

    private static double? Nullable(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);
}
