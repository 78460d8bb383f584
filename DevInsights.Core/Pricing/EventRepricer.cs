using System.Data.Common;
using DevInsights.Core.Data;
using DevInsights.Core.Jobs;

namespace DevInsights.Core.Pricing;

/// <summary>What one re-pricing pass did.</summary>
/// <param name="Examined">Stored events with tokens that were compared with the price table.</param>
/// <param name="Repriced">Events whose computed cost and price version changed.</param>
/// <param name="NewlyPriced">Of those, events that had no price before.</param>
/// <param name="NowUnpriced">Of those, events that had a price and have none now (an alias removed).</param>
/// <param name="StillUnpriced">Examined events whose model has no price even now.</param>
/// <param name="ComputedBeforeUsd">The re-priced events' computed cost before the pass (unpriced counts as 0).</param>
/// <param name="ComputedAfterUsd">Their computed cost after it.</param>
/// <param name="LastEventId">The highest event id looked at: events stored later were priced at ingestion with the same table.</param>
public sealed record RepriceResult(long Examined, long Repriced, long NewlyPriced, long NowUnpriced, long StillUnpriced,
    double ComputedBeforeUsd, double ComputedAfterUsd, int Transactions, long LastEventId);

/// <summary>Prices stored events again when the price table resolves another version for them than the one recorded: events
/// that were unpriced when they arrived and whose model has a price now, and events priced by a version an override or an
/// import has since replaced for their day.</summary>
/// <remarks>
/// Events are walked by id range (<see cref="BatchSize"/> ids at a time, never the whole table in memory). Each range is first
/// read outside any transaction, comparing every event's recorded version with the table's in memory; only a range that holds
/// a changed event opens a write transaction, which reads those events again (locked, on PostgreSQL), prices them exactly as
/// ingestion would (<see cref="Ingestion.EventPricing"/>), updates them, and moves <c>daily_costs</c>, <c>daily_usage</c>'s cost
/// and the sessions' costs by the difference, so every rollup stays equal to the sum of its events. The client's own cost is
/// never touched. The sessions' <c>updated_at</c> is stamped, so the rollups job rebuilds the buckets they span. Re-running
/// changes nothing: a re-priced event records the version the table resolves.
/// </remarks>
public sealed class EventRepricer(DatabaseConnections connections, PriceBook book, TimeProvider clock)
{
    /// <summary>Event ids per range: a write transaction holds at most this many events (SQLite's single writer waits that long).</summary>
    public const int BatchSize = 10_000;

    public async Task<RepriceResult> RunAsync(IProgress<JobProgress>? progress = null, CancellationToken ct = default)
    {
        // Another instance may have changed prices within the book's reload interval: price with what the database holds now.
        book.Invalidate();
        var table = await book.CurrentAsync(ct);
        await using var connection = await connections.OpenAsync(ct);
        var (first, last) = await IdRangeAsync(connection, ct);
        var writer = new RepriceWriter(connection, connections.IsSqlite, table, clock);
        var totals = new RepriceTotals();
        for (var after = first - 1; after < last; after += BatchSize)
        {
            var upto = Math.Min(last, after + BatchSize);
            var candidates = await ScanAsync(connection, table, after, upto, totals, ct);
            if (candidates.Count > 0) await writer.ApplyAsync(after, upto, candidates, totals, ct);
            progress?.Report(new JobProgress((double)(upto - first + 1) / (last - first + 1),
                $"Examined {totals.Examined:N0} event(s), re-priced {totals.Repriced:N0} (event id {upto:N0} of {last:N0})"));
        }
        return new RepriceResult(totals.Examined, totals.Repriced, totals.NewlyPriced, totals.NowUnpriced, totals.StillUnpriced,
            totals.ComputedBefore, totals.ComputedAfter, totals.Transactions, last);
    }

    private static async Task<(long First, long Last)> IdRangeAsync(DbConnection connection, CancellationToken ct)
    {
        await using var command = Rollups.RollupSql.Command(connection, null, "SELECT COALESCE(MIN(id), 1), COALESCE(MAX(id), 0) FROM events",
            new Dictionary<string, object>());
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>The ids in (<paramref name="after"/>, <paramref name="upto"/>] whose recorded version is not the one the table
    /// resolves for their model and day; counts what was examined and what stays unpriced.</summary>
    private static async Task<HashSet<long>> ScanAsync(DbConnection connection, PriceTable table, long after, long upto, RepriceTotals totals,
        CancellationToken ct)
    {
        var candidates = new HashSet<long>();
        await using var command = Rollups.RollupSql.Command(connection, null,
            "SELECT e.id, e.timestamp, e.model, e.price_id FROM events e WHERE e.id > @after AND e.id <= @upto AND " + RepriceWriter.HasTokens,
            new Dictionary<string, object> { ["@after"] = after, ["@upto"] = upto });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            totals.Examined++;
            var day = DateOnly.FromDateTime(UtcDateTimeConverter.AsUtc(reader.GetDateTime(1)));
            var price = table.Find(reader.IsDBNull(2) ? null : reader.GetString(2), day);
            if (price is null) totals.StillUnpriced++;
            long? recorded = reader.IsDBNull(3) ? null : reader.GetInt64(3);
            if (price?.Id != recorded) candidates.Add(reader.GetInt64(0));
        }
        return candidates;
    }
}

/// <summary>Running sums of a pass.</summary>
internal sealed class RepriceTotals
{
    public long Examined;
    public long Repriced;
    public long NewlyPriced;
    public long NowUnpriced;
    public long StillUnpriced;
    public double ComputedBefore;
    public double ComputedAfter;
    public int Transactions;
}
