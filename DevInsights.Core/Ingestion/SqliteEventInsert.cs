using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace DevInsights.Core.Ingestion;

/// <summary>The writer's prepared INSERT into <c>events</c>, bound by position straight through SQLite's C API on the
/// writer's own connection (inside its open transaction).</summary>
/// <remarks>
/// Binding 22 parameters through <see cref="SqliteCommand"/> cost more writer CPU than SQLite's own work on the row:
/// per execution it re-validates the parameter collection, infers each value's type, boxes numbers, formats both dates
/// as new strings and converts every string to UTF-8 in a fresh buffer. Here values go straight to
/// <c>sqlite3_bind_*</c>: numbers unboxed, dates formatted into a stack buffer, strings encoded into one reused buffer,
/// and the reception time formatted once per transaction. Values are stored exactly as Microsoft.Data.Sqlite stores
/// them (dates as <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> text, booleans as 0/1, reals, UTF-8 text), so EF Core reads them
/// back unchanged.
/// </remarks>
internal sealed class SqliteEventInsert : IDisposable
{
    /// <summary>Microsoft.Data.Sqlite's text form of a <see cref="DateTime"/>.</summary>
    private const string DateFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF";

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _text = new byte[1024];
    private byte[] _receivedAt = [];

    public SqliteEventInsert(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    /// <summary>The reception time shared by every row of the transaction.</summary>
    public void SetReceivedAt(DateTime receivedAt) => _receivedAt = Encoding.ASCII.GetBytes(Format(receivedAt));

    /// <summary>Inserts one row; false when the conflict clause skipped it (a duplicate).</summary>
    public bool Insert(EventRow row, string source)
    {
        var e = row.Event;
        var s = row.Session;
        Int(1, s.Id);
        Int(2, s.ProjectId);
        Int(3, s.MachineId);
        Int(4, s.WorkspaceId);
        Date(5, row.Timestamp);
        Text(6, e.Type);
        Text(7, e.ToolName);
        Text(8, e.Model);
        Int(9, e.InputTokens);
        Int(10, e.OutputTokens);
        Int(11, e.CacheReadTokens);
        Int(12, e.CacheCreationTokens);
        Real(13, row.Cost.CostUsd);
        Int(14, e.DurationMs);
        Int(15, e.Success is { } success ? success ? 1 : 0 : null);
        Text(16, e.AttributesJson);
        Text(17, source);
        Text(18, e.ClientEventId);
        Check(raw.sqlite3_bind_text(_statement, 19, _receivedAt));
        Real(20, row.Cost.ComputedCostUsd);
        Int(21, row.Cost.PriceId);
        Text(22, row.Cost.Source);

        var rc = raw.sqlite3_step(_statement);
        // Reset before reporting, so a failed row leaves the statement reusable (and its error message intact).
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE) Check(rc);
        return raw.sqlite3_changes(_db) == 1;
    }

    public void Dispose() => _statement.Dispose();

    private static string Format(DateTime value) => value.ToString(DateFormat, CultureInfo.InvariantCulture);

    private void Int(int index, long? value)
    {
        if (value is { } v) Check(raw.sqlite3_bind_int64(_statement, index, v));
        else Null(index);
    }

    private void Real(int index, double? value)
    {
        if (value is { } v) Check(raw.sqlite3_bind_double(_statement, index, v));
        else Null(index);
    }

    private void Date(int index, DateTime value)
    {
        Span<byte> utf8 = stackalloc byte[40];
        if (!value.TryFormat(utf8, out var written, DateFormat, CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"Could not format {value:O}.");
        Check(raw.sqlite3_bind_text(_statement, index, utf8[..written]));
    }

    private void Text(int index, string? value)
    {
        if (value is null)
        {
            Null(index);
            return;
        }
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max > _text.Length) _text = new byte[Math.Max(max, _text.Length * 2)];
        var length = Encoding.UTF8.GetBytes(value, _text);
        // SQLite copies the value (SQLITE_TRANSIENT), so the buffer is free again for the next column.
        Check(raw.sqlite3_bind_text(_statement, index, _text.AsSpan(0, length)));
    }

    private void Null(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }
}
