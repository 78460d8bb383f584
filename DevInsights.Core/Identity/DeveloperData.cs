using DevInsights.Core.Data;
using DevInsights.Core.Otlp.Storage;
using DevInsights.Core.Pricing;
using DevInsights.Core.Providers;
using DevInsights.Core.Rollups;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DevInsights.Core.Identity;

/// <summary>What is kept per developer beside their sessions and events, and must go with them: the four pre-aggregated
/// tables (daily_usage, daily_costs, usage_rollups, tool_rollups, which also hold what retention already deleted from the
/// raw events), metric points stored without a session, provider mappings naming the developer, and the telemetry
/// identities linked to them.</summary>
/// <remarks>The aggregate tables are keyed by developer, so deleting a developer's rows removes exactly their share of every
/// figure; recomputing from the raw events could not, as retention may have deleted those.</remarks>
internal static class DeveloperData
{
    /// <summary>Rows of the four aggregate tables that hold the developer (a full read of each: there is no developer
    /// index, which would cost every ingestion and rollup write for a rare administration step).</summary>
    public static async Task<long> CountAggregateRowsAsync(DevInsightsDbContext db, string developerId, CancellationToken ct) =>
        await db.DailyUsage.LongCountAsync(d => d.DeveloperId == developerId, ct)
        + await db.Set<DailyCost>().LongCountAsync(d => d.DeveloperId == developerId, ct)
        + await db.UsageRollups.LongCountAsync(u => u.DeveloperId == developerId, ct)
        + await db.ToolRollups.LongCountAsync(t => t.DeveloperId == developerId, ct);

    public static Task<int> CountProviderMappingsAsync(DevInsightsDbContext db, string developerId, CancellationToken ct) =>
        db.Set<ProviderMapping>().CountAsync(m => m.DeveloperId == developerId, ct);

    /// <summary>Telemetry identities (emails, account and install ids) linked to the developer.</summary>
    public static Task<int> CountIdentitiesAsync(DevInsightsDbContext db, string developerId, CancellationToken ct) =>
        db.Set<TelemetryIdentity>().CountAsync(i => i.UserId == developerId, ct);

    /// <summary>Deletes the developer's aggregate rows and sessionless metric points, and unmaps them from provider
    /// mappings (a mapping that also names a project keeps the project), in the caller's transaction.</summary>
    /// <returns>Aggregate rows deleted, provider mappings changed, telemetry identities deleted.</returns>
    public static async Task<(long AggregateRows, int ProviderMappings, int Identities)> DeleteAsync(DevInsightsDbContext db, string developerId, CancellationToken ct)
    {
        long rows = await db.DailyUsage.Where(d => d.DeveloperId == developerId).ExecuteDeleteAsync(ct);
        rows += await db.Set<DailyCost>().Where(d => d.DeveloperId == developerId).ExecuteDeleteAsync(ct);
        rows += await db.UsageRollups.Where(u => u.DeveloperId == developerId).ExecuteDeleteAsync(ct);
        rows += await db.ToolRollups.Where(t => t.DeveloperId == developerId).ExecuteDeleteAsync(ct);
        // Points of the developer's sessions went with the sessions (ON DELETE CASCADE); these belong to no session.
        await db.Set<MetricPoint>().Where(p => p.DeveloperId == developerId).ExecuteDeleteAsync(ct);
        var mappings = await db.Set<ProviderMapping>().Where(m => m.DeveloperId == developerId && m.ProjectId == null).ExecuteDeleteAsync(ct);
        mappings += await db.Set<ProviderMapping>().Where(m => m.DeveloperId == developerId)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.DeveloperId, (string?)null), ct);
        // The identities linked to them name the person (an email, account ids): deleted rather than left unlinked. Telemetry
        // that still arrives with them records them again, unlinked, for an admin to see.
        var identities = await db.Set<TelemetryIdentity>().Where(i => i.UserId == developerId).ExecuteDeleteAsync(ct);
        return (rows, mappings, identities);
    }

    /// <summary>Lowers the rollups job's event watermark to the highest event id left, in the caller's transaction, when
    /// the deletion removed the newest events: SQLite gives the next events the ids after the highest remaining one, which
    /// the job would otherwise take for events it already folded in and skip (PostgreSQL's sequence never reuses ids; there
    /// the lower mark only makes the next pass look at ids that no longer exist).</summary>
    public static Task LowerRollupWatermarkAsync(DevInsightsDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(
            "UPDATE rollup_state SET event_watermark = (SELECT COALESCE(MAX(id), 0) FROM events) "
            + "WHERE name = {0} AND event_watermark > (SELECT COALESCE(MAX(id), 0) FROM events)", [RollupState.UsageName], ct);

    /// <summary>Holds the rollups job's state row, then the developer's sessions in ascending id order, until the caller's
    /// transaction ends (PostgreSQL; SQLite's write transaction already excludes every other writer). The state row: a
    /// rollups pass never re-inserts buckets from events this transaction deletes (it runs wholly before, its rows are then
    /// deleted, or after, the events are gone), and moves and re-pricing, which take it first too, wait. The sessions, in
    /// the writer's order and before their events: a writer holding one of them while it waits for another of them
    /// would otherwise wait on this transaction in a cycle, as the deletes below lock rows in the order they find them.</summary>
    public static async Task LockAsync(DevInsightsDbContext db, string developerId, CancellationToken ct)
    {
        if (db.Database.IsSqlite()) return;
        await RollupSql.LockStateAsync(db.Database.GetDbConnection(), db.Database.CurrentTransaction!.GetDbTransaction(), sqlite: false, ct);
        await db.Database.ExecuteSqlRawAsync("SELECT 1 FROM sessions WHERE developer_id = {0} ORDER BY id FOR UPDATE", [developerId], ct);
    }
}
