using System.Data.Common;
using DevInsights.Core.Data;
using Microsoft.Data.Sqlite;

namespace DevInsights.Core.Ingestion;

/// <summary>SQLite: one prepared INSERT re-bound per row inside the group's transaction (PERFORMANCE.md measured
/// ~4x EF's rate this way), bound by position through SQLite's C API (<see cref="SqliteEventInsert"/>). A duplicate is
/// a unique-index probe that changes nothing (0 rows).</summary>
internal sealed class SqliteIngestionStore(DatabaseConnections connections, IngestionSessionCache cache, Pricing.PriceBook prices, TimeProvider clock)
    : IngestionStore(connections, cache, prices, clock)
{
    private SqliteEventInsert? _insertEvent;

    protected override async Task OpenCoreAsync(DbConnection connection, CancellationToken ct)
    {
        await using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = DatabaseConnections.SqliteBulkWriterPragmas;
            await pragmas.ExecuteNonQueryAsync(ct);
        }
        // The conflict target names the partial unique index (its WHERE must be repeated for SQLite to pick it);
        // rows without a client event id never conflict.
        _insertEvent = new SqliteEventInsert((SqliteConnection)connection,
            $"INSERT INTO events ({EventColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) "
            + "ON CONFLICT (session_id, client_event_id) WHERE client_event_id IS NOT NULL DO NOTHING");
    }

    protected override async Task ResetAsync()
    {
        _insertEvent?.Dispose();
        _insertEvent = null;
        // Its large page cache must not go back to the pool, where any reader could be handed it.
        if (Connection is SqliteConnection connection) SqliteConnection.ClearPool(connection);
        await base.ResetAsync();
    }

    protected override Task InsertEventsAsync(DbTransaction tx, List<EventRow> rows, IReadOnlyList<IngestBatch> batches, DateTime receivedAt, CancellationToken ct)
    {
        // The statement runs on the connection, inside the transaction it already has open.
        var insert = _insertEvent!;
        insert.SetReceivedAt(receivedAt);
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            row.Inserted = insert.Insert(row, batches[row.BatchIndex].Source);
        }
        return Task.CompletedTask;
    }
}
