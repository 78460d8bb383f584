using System.Data.Common;
using DevInsights.Core.Data;

namespace DevInsights.Core.Ingestion;

/// <summary>SQLite: one prepared INSERT re-bound per row inside the group's transaction (PERFORMANCE.md measured
/// ~4x EF's rate this way). A duplicate is a unique-index probe that changes nothing (0 rows).</summary>
internal sealed class SqliteIngestionStore(DatabaseConnections connections, IngestionSessionCache cache, Pricing.PriceBook prices, TimeProvider clock)
    : IngestionStore(connections, cache, prices, clock)
{
    private Command? _insertEvent;

    protected override Task OpenCoreAsync(DbConnection connection, CancellationToken ct)
    {
        // The conflict target names the partial unique index (its WHERE must be repeated for SQLite to pick it);
        // rows without a client event id never conflict.
        _insertEvent = new Command(connection,
            $"INSERT INTO events ({EventColumns}) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19, @p20, @p21) "
            + "ON CONFLICT (session_id, client_event_id) WHERE client_event_id IS NOT NULL DO NOTHING", 22, prepare: true);
        return Task.CompletedTask;
    }

    protected override Task InsertEventsAsync(DbTransaction tx, List<EventRow> rows, IReadOnlyList<IngestBatch> batches, DateTime receivedAt, CancellationToken ct)
    {
        var command = _insertEvent!.Bind(tx);
        var p = command.Parameters;
        p[18].Value = receivedAt;
        string? source = null;
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            var e = row.Event;
            var s = row.Session;
            p[0].Value = s.Id;
            p[1].Value = s.ProjectId;
            p[2].Value = Db(s.MachineId);
            p[3].Value = Db(s.WorkspaceId);
            p[4].Value = row.Timestamp;
            p[5].Value = e.Type;
            p[6].Value = Db(e.ToolName);
            p[7].Value = Db(e.Model);
            p[8].Value = e.InputTokens;
            p[9].Value = e.OutputTokens;
            p[10].Value = e.CacheReadTokens;
            p[11].Value = e.CacheCreationTokens;
            p[12].Value = Db(row.Cost.CostUsd);
            p[13].Value = Db(e.DurationMs);
            p[14].Value = Db(e.Success);
            p[15].Value = Db(e.AttributesJson);
            var batchSource = batches[row.BatchIndex].Source;
            if (!ReferenceEquals(batchSource, source)) p[16].Value = source = batchSource;
            p[17].Value = Db(e.ClientEventId);
            p[19].Value = Db(row.Cost.ComputedCostUsd);
            p[20].Value = Db(row.Cost.PriceId);
            p[21].Value = Db(row.Cost.Source);
            // Microsoft.Data.Sqlite runs synchronously anyway; the sync call skips a Task per row.
            row.Inserted = command.ExecuteNonQuery() == 1;
        }
        return Task.CompletedTask;
    }
}
