using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Dashboard;

/// <summary>Recomputes <see cref="DailyUsage"/> rows of a day range from the raw events and sessions: the reference the
/// incremental rollup is checked against, and the repair for days whose events were changed behind the writer.</summary>
public sealed class DailyUsageRebuilder(IDbContextFactory<DevInsightsDbContext> dbFactory)
{
    /// <summary>Replaces every rollup row from <paramref name="from"/> to <paramref name="to"/> (inclusive, UTC days).</summary>
    /// <returns>The number of rollup rows the range now holds.</returns>
    public async Task<int> RebuildAsync(DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        if (to < from) throw new ArgumentOutOfRangeException(nameof(to), "The range ends before it starts.");
        var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sqlite = db.Database.IsSqlite();
        var eventDay = Ingestion.DailyAggregateSql.DayOf(sqlite, "e.timestamp");
        var sessionDay = Ingestion.DailyAggregateSql.DayOf(sqlite, "s.started_at");

        // SQLite's transaction is BEGIN IMMEDIATE (the write lock). On PostgreSQL the table lock makes the writer's
        // upserts wait until this commits: events it stores meanwhile are added on top, never lost or counted twice.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!sqlite) await db.Database.ExecuteSqlRawAsync("LOCK TABLE daily_usage IN SHARE ROW EXCLUSIVE MODE", ct);
        await db.Database.ExecuteSqlRawAsync("DELETE FROM daily_usage WHERE day >= {0} AND day <= {1}", [from, to], ct);
#pragma warning disable EF1002 // only the provider's day expression is interpolated; values are parameters
        await db.Database.ExecuteSqlRawAsync($$"""
            INSERT INTO daily_usage ({{Columns}})
            SELECT {{eventDay}}, e.project_id, COALESCE(s.developer_id, ''), s.client, COALESCE(e.model, ''), COUNT(*),
                SUM(CASE WHEN e.type = 'api_request' THEN 1 ELSE 0 END),
                SUM(e.input_tokens), SUM(e.output_tokens), SUM(e.cache_read_tokens), SUM(e.cache_creation_tokens),
                SUM(COALESCE(e.cost_usd, 0)),
                SUM(CASE WHEN e.tool_name IS NOT NULL AND e.success IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN e.tool_name IS NOT NULL AND NOT e.success THEN 1 ELSE 0 END),
                0
            FROM events e JOIN sessions s ON s.id = e.session_id
            WHERE e.timestamp >= {0} AND e.timestamp < {1}
            GROUP BY {{eventDay}}, e.project_id, COALESCE(s.developer_id, ''), s.client, COALESCE(e.model, '')
            """, [start, end], ct);
        await db.Database.ExecuteSqlRawAsync($$"""
            INSERT INTO daily_usage ({{Columns}})
            SELECT {{sessionDay}}, s.project_id, COALESCE(s.developer_id, ''), s.client, '', 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*)
            FROM sessions s
            WHERE s.started_at >= {0} AND s.started_at < {1}
            GROUP BY {{sessionDay}}, s.project_id, COALESCE(s.developer_id, ''), s.client
            ON CONFLICT (day, project_id, developer_id, client, model) DO UPDATE SET sessions_started = excluded.sessions_started
            """, [start, end], ct);
#pragma warning restore EF1002
        var rows = await db.DailyUsage.CountAsync(d => d.Day >= from && d.Day <= to, ct);
        await tx.CommitAsync(ct);
        return rows;
    }

    internal const string Columns =
        "day, project_id, developer_id, client, model, events, api_requests, input_tokens, output_tokens, "
        + "cache_read_tokens, cache_creation_tokens, cost_usd, tool_calls, tool_errors, sessions_started";
}
