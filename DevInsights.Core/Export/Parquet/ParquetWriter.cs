using System.IO.Compression;

namespace DevInsights.Core.Export.Parquet;

/// <summary>A compact Parquet writer for flat schemas, written by hand because no .NET Parquet library is available
/// to this project (Parquet.Net, ParquetSharp and Apache.Arrow are absent from its package registry).</summary>
/// <remarks>
/// What it writes, following the Apache Parquet format specification (parquet.thrift):
/// <list type="bullet">
/// <item>one data page (v1) per column chunk, PLAIN-encoded values, definition levels in the RLE/bit-packed hybrid
/// (RLE runs only) for OPTIONAL columns; no repetition levels (flat schemas only), no dictionary pages;</item>
/// <item>row groups of <c>rowGroupSize</c> rows, so memory stays bounded however many rows are written;</item>
/// <item>per column chunk statistics (min_value, max_value, null_count) and TYPE_ORDER column orders, so readers
/// may skip row groups;</item>
/// <item>logical types STRING, DATE and TIMESTAMP(isAdjustedToUTC = true, MICROS), with their legacy converted types;</item>
/// <item>optional GZIP page compression (System.IO.Compression); no Snappy.</item>
/// </list>
/// The footer is FileMetaData in Thrift's compact protocol, its length, then the magic <c>PAR1</c>.
/// Usage: set every column of a row (<c>Write*</c>/<see cref="WriteNull"/>), <see cref="EndRow"/>, and
/// <see cref="Finish"/> once at the end. Not thread-safe.
/// </remarks>
public sealed class ParquetWriter
{
    private const string CreatedBy = "DevInsights hand-written Parquet writer";
    private static readonly byte[] Magic = "PAR1"u8.ToArray();
    private static readonly int UnixEpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private readonly Stream _output;
    private readonly ParquetColumnBuffer[] _columns;
    private readonly ParquetCompression _compression;
    private readonly int _rowGroupSize;
    private readonly List<RowGroupInfo> _rowGroups = [];
    private long _position;
    private long _rows;
    private int _rowsInGroup;
    private bool _finished;

    public ParquetWriter(Stream output, IReadOnlyList<ParquetColumn> columns, ParquetCompression compression = ParquetCompression.None,
        int rowGroupSize = 50_000)
    {
        ArgumentOutOfRangeException.ThrowIfZero(columns.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupSize, 1);
        if (columns.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != columns.Count)
            throw new ArgumentException("Column names must be unique.", nameof(columns));
        _output = output;
        _columns = columns.Select(c => new ParquetColumnBuffer(c)).ToArray();
        _compression = compression;
        _rowGroupSize = rowGroupSize;
        Write(Magic);
    }

    public void WriteNull(int column) => _columns[column].AppendNull();
    public void WriteInt64(int column, long value) => _columns[column].AppendInt64(value);
    public void WriteDouble(int column, double value) => _columns[column].AppendDouble(value);
    public void WriteBoolean(int column, bool value) => _columns[column].AppendBoolean(value);
    public void WriteString(int column, string value) => _columns[column].AppendString(value);
    public void WriteDate(int column, DateOnly value) => _columns[column].AppendDate(value.DayNumber - UnixEpochDayNumber);

    /// <summary>A UTC instant as microseconds since the Unix epoch (unspecified kinds are taken as UTC).</summary>
    public void WriteTimestamp(int column, DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        _columns[column].AppendInt64((utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>Ends the current row: every column must have received exactly one value (or null).</summary>
    public void EndRow()
    {
        var expected = _rowsInGroup + 1;
        foreach (var c in _columns)
            if (c.Count != expected)
                throw new InvalidOperationException($"Column '{c.Column.Name}' has {c.Count - _rowsInGroup} value(s) for this row instead of 1.");
        _rowsInGroup++;
        _rows++;
        if (_rowsInGroup >= _rowGroupSize) FlushRowGroup();
    }

    /// <summary>Writes the last row group and the footer. The stream is left open.</summary>
    public void Finish()
    {
        if (_finished) return;
        if (_rowsInGroup > 0) FlushRowGroup();
        var footer = Footer();
        Write(footer);
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, footer.Length);
        Write(length);
        Write(Magic);
        _output.Flush();
        _finished = true;
    }

    private void FlushRowGroup()
    {
        var start = _position;
        var chunks = new List<ChunkInfo>(_columns.Length);
        foreach (var column in _columns)
        {
            var body = column.EncodePage();
            var stored = _compression == ParquetCompression.Gzip ? Gzip(body) : body;
            var header = PageHeader(_rowsInGroup, body.Length, stored.Length);
            var offset = _position;
            Write(header);
            Write(stored);
            var (min, max) = column.Bounds();
            chunks.Add(new ChunkInfo(column.Column, offset, _rowsInGroup, header.Length + body.Length, header.Length + stored.Length,
                column.Nulls, min, max));
            column.Reset();
        }
        _rowGroups.Add(new RowGroupInfo(chunks, _rowsInGroup, start, _position - start));
        _rowsInGroup = 0;
    }

    private static byte[] Gzip(byte[] body)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(body);
        return compressed.ToArray();
    }

    private static byte[] PageHeader(int values, int uncompressed, int compressed)
    {
        var t = new ThriftCompactWriter();
        t.BeginStruct();
        t.I32(1, ParquetCodes.PageData);
        t.I32(2, uncompressed);
        t.I32(3, compressed);
        t.Struct(5); // DataPageHeader
        t.I32(1, values);
        t.I32(2, ParquetCodes.EncodingPlain);
        t.I32(3, ParquetCodes.EncodingRle);
        t.I32(4, ParquetCodes.EncodingRle);
        t.EndStruct();
        t.EndStruct();
        return t.ToArray();
    }

    private byte[] Footer()
    {
        var t = new ThriftCompactWriter();
        t.BeginStruct();
        t.I32(1, 1); // version
        var schema = new List<ParquetColumn?> { null }; // null: the root group
        schema.AddRange(_columns.Select(c => c.Column));
        t.ListOfStructs(2, schema, WriteSchemaElement);
        t.I64(3, _rows);
        var ordinal = 0;
        t.ListOfStructs(4, _rowGroups, (w, g) => WriteRowGroup(w, g, (short)ordinal++));
        t.String(6, CreatedBy);
        // TYPE_ORDER for every column: min/max statistics follow each type's natural order (unsigned bytes for strings).
        t.ListOfStructs(7, _columns, (w, _) => w.EmptyStruct(1));
        t.EndStruct();
        return t.ToArray();
    }

    private void WriteSchemaElement(ThriftCompactWriter w, ParquetColumn? column)
    {
        if (column is null)
        {
            w.String(4, "schema");
            w.I32(5, _columns.Length);
            return;
        }
        w.I32(1, ParquetCodes.PhysicalType(column.Kind));
        w.I32(3, column.Nullable ? ParquetCodes.Optional : ParquetCodes.Required);
        w.String(4, column.Name);
        switch (column.Kind)
        {
            case ParquetKind.String:
                w.I32(6, ParquetCodes.ConvertedUtf8);
                w.Struct(10);
                w.EmptyStruct(1); // STRING
                w.EndStruct();
                break;
            case ParquetKind.Date:
                w.I32(6, ParquetCodes.ConvertedDate);
                w.Struct(10);
                w.EmptyStruct(6); // DATE
                w.EndStruct();
                break;
            case ParquetKind.Timestamp:
                w.I32(6, ParquetCodes.ConvertedTimestampMicros);
                w.Struct(10);
                w.Struct(8); // TIMESTAMP
                w.Bool(1, true); // isAdjustedToUTC
                w.Struct(2); // unit
                w.EmptyStruct(2); // MICROS
                w.EndStruct();
                w.EndStruct();
                w.EndStruct();
                break;
        }
    }

    private void WriteRowGroup(ThriftCompactWriter w, RowGroupInfo group, short ordinal)
    {
        w.ListOfStructs(1, group.Chunks, WriteColumnChunk);
        w.I64(2, group.Chunks.Sum(c => c.Uncompressed));
        w.I64(3, group.Rows);
        w.I64(5, group.Offset);
        w.I64(6, group.Chunks.Sum(c => c.Compressed));
        w.I16(7, ordinal);
    }

    private void WriteColumnChunk(ThriftCompactWriter w, ChunkInfo chunk)
    {
        w.I64(2, chunk.Offset);
        w.Struct(3); // ColumnMetaData
        w.I32(1, ParquetCodes.PhysicalType(chunk.Column.Kind));
        w.ListOfI32(2, [ParquetCodes.EncodingPlain, ParquetCodes.EncodingRle]);
        w.ListOfStrings(3, [chunk.Column.Name]);
        w.I32(4, (int)_compression);
        w.I64(5, chunk.Values);
        w.I64(6, chunk.Uncompressed);
        w.I64(7, chunk.Compressed);
        w.I64(9, chunk.Offset);
        w.Struct(12); // Statistics
        w.I64(3, chunk.Nulls);
        if (chunk.Max is not null) w.Binary(5, chunk.Max);
        if (chunk.Min is not null) w.Binary(6, chunk.Min);
        w.EndStruct();
        w.EndStruct();
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _position += bytes.Length;
    }

    private sealed record ChunkInfo(ParquetColumn Column, long Offset, long Values, long Uncompressed, long Compressed, long Nulls,
        byte[]? Min, byte[]? Max);

    private sealed record RowGroupInfo(IReadOnlyList<ChunkInfo> Chunks, long Rows, long Offset, long Size);
}
