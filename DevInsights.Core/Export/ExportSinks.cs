using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DevInsights.Core.Data;
using DevInsights.Core.Export.Parquet;

namespace DevInsights.Core.Export;

/// <summary>Writes the rows of one dataset to one stream in one format. Rows are encoded into a buffer that is handed to
/// the stream asynchronously every <see cref="FlushBytes"/> (so a response body is never written synchronously and
/// memory stays bounded); Parquet buffers one row group.</summary>
internal abstract class ExportSink(Stream output, IReadOnlyList<ParquetColumn> columns)
{
    protected const int FlushBytes = 64 * 1024;

    protected Stream Output { get; } = output;
    protected IReadOnlyList<ParquetColumn> Columns { get; } = columns;

    public static ExportSink Create(ExportFormat format, Stream output, IReadOnlyList<ParquetColumn> columns, ParquetCompression compression) => format switch
    {
        ExportFormat.Csv => new CsvSink(output, columns),
        ExportFormat.Jsonl => new JsonLinesSink(output, columns),
        _ => new ParquetSink(output, columns, compression),
    };

    public abstract ValueTask WriteRowAsync(DbDataReader row, CancellationToken ct);

    public abstract ValueTask CompleteAsync(CancellationToken ct);

    /// <summary>Instants as ISO 8601 UTC with microseconds (what Parquet keeps), so every format says the same.</summary>
    protected static string Iso(DateTime value) => UtcDateTimeConverter.AsUtc(value).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

}

/// <summary>A text format: rows are encoded into <see cref="Buffer"/>, handed to the stream every <see cref="ExportSink.FlushBytes"/>.</summary>
internal abstract class TextSink(Stream output, IReadOnlyList<ParquetColumn> columns) : ExportSink(output, columns)
{
    protected ArrayBufferWriter<byte> Buffer { get; } = new(FlushBytes * 2);

    public override async ValueTask CompleteAsync(CancellationToken ct) => await FlushAsync(ct);

    protected async ValueTask FlushIfFullAsync(CancellationToken ct)
    {
        if (Buffer.WrittenCount >= FlushBytes) await FlushAsync(ct);
    }

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        await Output.WriteAsync(Buffer.WrittenMemory, ct);
        Buffer.ResetWrittenCount();
    }
}

/// <summary>RFC 4180 CSV: a header of column names, fields quoted when they hold a comma, quote or line break, CRLF lines.</summary>
internal sealed class CsvSink : TextSink
{
    private readonly StringBuilder _line = new();

    public CsvSink(Stream output, IReadOnlyList<ParquetColumn> columns) : base(output, columns)
    {
        AppendLine(string.Join(",", columns.Select(c => Quote(c.Name))));
    }

    public override async ValueTask WriteRowAsync(DbDataReader row, CancellationToken ct)
    {
        _line.Clear();
        for (var i = 0; i < Columns.Count; i++)
        {
            if (i > 0) _line.Append(',');
            if (row.IsDBNull(i)) continue;
            _line.Append(Columns[i].Kind switch
            {
                ParquetKind.Int64 => row.GetInt64(i).ToString(CultureInfo.InvariantCulture),
                ParquetKind.Double => row.GetDouble(i).ToString("R", CultureInfo.InvariantCulture),
                ParquetKind.Boolean => row.GetBoolean(i) ? "true" : "false",
                ParquetKind.Timestamp => Iso(row.GetDateTime(i)),
                ParquetKind.Date => IsoDay.Format(DateOnly.FromDateTime(row.GetDateTime(i))),
                _ => Quote(row.GetString(i)),
            });
        }
        AppendLine(_line.ToString());
        await FlushIfFullAsync(ct);
    }

    private void AppendLine(string line)
    {
        var count = Encoding.UTF8.GetByteCount(line) + 2;
        var span = Buffer.GetSpan(count);
        var written = Encoding.UTF8.GetBytes(line, span);
        span[written] = (byte)'\r';
        span[written + 1] = (byte)'\n';
        Buffer.Advance(written + 2);
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>JSON Lines: one object per row, keyed by column name, nulls written as null.</summary>
internal sealed class JsonLinesSink(Stream output, IReadOnlyList<ParquetColumn> columns) : TextSink(output, columns)
{
    private readonly JsonEncodedText[] _names = columns.Select(c => JsonEncodedText.Encode(c.Name)).ToArray();
    private Utf8JsonWriter? _json;

    public override async ValueTask WriteRowAsync(DbDataReader row, CancellationToken ct)
    {
        var json = _json ??= new Utf8JsonWriter(Buffer, new JsonWriterOptions { SkipValidation = true });
        json.Reset(Buffer);
        json.WriteStartObject();
        for (var i = 0; i < Columns.Count; i++)
        {
            if (row.IsDBNull(i))
            {
                json.WriteNull(_names[i]);
                continue;
            }
            switch (Columns[i].Kind)
            {
                case ParquetKind.Int64: json.WriteNumber(_names[i], row.GetInt64(i)); break;
                case ParquetKind.Double: json.WriteNumber(_names[i], row.GetDouble(i)); break;
                case ParquetKind.Boolean: json.WriteBoolean(_names[i], row.GetBoolean(i)); break;
                case ParquetKind.Timestamp: json.WriteString(_names[i], Iso(row.GetDateTime(i))); break;
                case ParquetKind.Date: json.WriteString(_names[i], IsoDay.Format(DateOnly.FromDateTime(row.GetDateTime(i)))); break;
                default: json.WriteString(_names[i], row.GetString(i)); break;
            }
        }
        json.WriteEndObject();
        json.Flush();
        Buffer.GetSpan(1)[0] = (byte)'\n';
        Buffer.Advance(1);
        await FlushIfFullAsync(ct);
    }

    public override async ValueTask CompleteAsync(CancellationToken ct)
    {
        await base.CompleteAsync(ct);
        _json?.Dispose();
    }
}

/// <summary>Parquet through <see cref="ParquetWriter"/> (row groups of 50,000 rows).</summary>
internal sealed class ParquetSink(Stream output, IReadOnlyList<ParquetColumn> columns, ParquetCompression compression) : ExportSink(output, columns)
{
    private readonly ParquetWriter _writer = new(output, columns, compression);

    public override ValueTask WriteRowAsync(DbDataReader row, CancellationToken ct)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (row.IsDBNull(i))
            {
                _writer.WriteNull(i);
                continue;
            }
            switch (Columns[i].Kind)
            {
                case ParquetKind.Int64: _writer.WriteInt64(i, row.GetInt64(i)); break;
                case ParquetKind.Double: _writer.WriteDouble(i, row.GetDouble(i)); break;
                case ParquetKind.Boolean: _writer.WriteBoolean(i, row.GetBoolean(i)); break;
                case ParquetKind.Timestamp: _writer.WriteTimestamp(i, UtcDateTimeConverter.AsUtc(row.GetDateTime(i))); break;
                case ParquetKind.Date: _writer.WriteDate(i, DateOnly.FromDateTime(row.GetDateTime(i))); break;
                default: _writer.WriteString(i, row.GetString(i)); break;
            }
        }
        _writer.EndRow();
        return ValueTask.CompletedTask;
    }

    public override ValueTask CompleteAsync(CancellationToken ct)
    {
        _writer.Finish();
        return ValueTask.CompletedTask;
    }
}
