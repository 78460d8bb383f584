using System.Buffers.Binary;
using System.Text;

namespace DevInsights.Core.Export.Parquet;

/// <summary>The values of one column for the row group being built: PLAIN-encoded as they arrive, with definition
/// levels for nullable columns and the statistics (min, max, null count) Parquet readers use to skip data.</summary>
internal sealed class ParquetColumnBuffer(ParquetColumn column)
{
    private readonly MemoryStream _values = new();
    private readonly List<bool> _defined = [];
    private byte _bits;
    private int _bitCount;
    private bool _hasBounds;
    private byte[]? _min, _max;
    private long _minInt, _maxInt;
    private double _minDouble, _maxDouble;

    public ParquetColumn Column { get; } = column;
    public int Count => _defined.Count;
    public long Nulls { get; private set; }

    public void AppendNull()
    {
        if (!Column.Nullable) throw new InvalidOperationException($"Column '{Column.Name}' is not nullable.");
        _defined.Add(false);
        Nulls++;
    }

    public void AppendInt64(long value)
    {
        Expect(ParquetKind.Int64, ParquetKind.Timestamp);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        _values.Write(bytes);
        TrackInt(value);
    }

    public void AppendDate(int daysSinceEpoch)
    {
        Expect(ParquetKind.Date, ParquetKind.Date);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, daysSinceEpoch);
        _values.Write(bytes);
        TrackInt(daysSinceEpoch);
    }

    public void AppendDouble(double value)
    {
        Expect(ParquetKind.Double, ParquetKind.Double);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
        _values.Write(bytes);
        _defined.Add(true);
        if (double.IsNaN(value)) return; // NaN never bounds statistics
        if (!_hasBounds || value < _minDouble) _minDouble = value;
        if (!_hasBounds || value > _maxDouble) _maxDouble = value;
        _hasBounds = true;
    }

    public void AppendBoolean(bool value)
    {
        Expect(ParquetKind.Boolean, ParquetKind.Boolean);
        if (value) _bits |= (byte)(1 << _bitCount);
        if (++_bitCount == 8) FlushBits();
        TrackInt(value ? 1 : 0);
    }

    public void AppendString(string value)
    {
        Expect(ParquetKind.String, ParquetKind.String);
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        _values.Write(length);
        _values.Write(bytes);
        _defined.Add(true);
        // Statistics of strings compare unsigned bytes (Parquet's type-defined order for BYTE_ARRAY).
        if (!_hasBounds || bytes.AsSpan().SequenceCompareTo(_min) < 0) _min = bytes;
        if (!_hasBounds || bytes.AsSpan().SequenceCompareTo(_max) > 0) _max = bytes;
        _hasBounds = true;
    }

    /// <summary>The page body: definition levels (nullable columns), then the PLAIN values.</summary>
    public byte[] EncodePage()
    {
        if (_bitCount > 0) FlushBits();
        using var page = new MemoryStream();
        if (Column.Nullable) WriteDefinitionLevels(page);
        _values.Position = 0;
        _values.CopyTo(page);
        return page.ToArray();
    }

    /// <summary>(min, max) PLAIN-encoded, or nulls when every value was null.</summary>
    public (byte[]? Min, byte[]? Max) Bounds() => Column.Kind switch
    {
        _ when !_hasBounds => (null, null),
        ParquetKind.String => (_min, _max),
        ParquetKind.Double => (BitConverter.GetBytes(_minDouble), BitConverter.GetBytes(_maxDouble)),
        ParquetKind.Boolean => ([(byte)_minInt], [(byte)_maxInt]),
        ParquetKind.Date => (BitConverter.GetBytes((int)_minInt), BitConverter.GetBytes((int)_maxInt)),
        _ => (ThriftCompactWriter.Plain(_minInt), ThriftCompactWriter.Plain(_maxInt)),
    };

    public void Reset()
    {
        _values.SetLength(0);
        _defined.Clear();
        _bits = 0;
        _bitCount = 0;
        _min = _max = null;
        _hasBounds = false;
        Nulls = 0;
    }

    private void TrackInt(long value)
    {
        _defined.Add(true);
        if (!_hasBounds || value < _minInt) _minInt = value;
        if (!_hasBounds || value > _maxInt) _maxInt = value;
        _hasBounds = true;
    }

    private void Expect(ParquetKind a, ParquetKind b)
    {
        if (Column.Kind != a && Column.Kind != b)
            throw new InvalidOperationException($"Column '{Column.Name}' is {Column.Kind}, not {a}.");
    }

    private void FlushBits()
    {
        _values.WriteByte(_bits);
        _bits = 0;
        _bitCount = 0;
    }

    /// <summary>Definition levels (0 = null, 1 = value) in the RLE/bit-packed hybrid encoding, as RLE runs only,
    /// prefixed by their byte length (data page v1).</summary>
    private void WriteDefinitionLevels(Stream page)
    {
        using var runs = new MemoryStream();
        var i = 0;
        while (i < _defined.Count)
        {
            var value = _defined[i];
            var run = 1;
            while (i + run < _defined.Count && _defined[i + run] == value) run++;
            var header = (ulong)run << 1; // low bit 0: an RLE run
            while (header >= 0x80)
            {
                runs.WriteByte((byte)(header | 0x80));
                header >>= 7;
            }
            runs.WriteByte((byte)header);
            runs.WriteByte(value ? (byte)1 : (byte)0); // bit width 1: one byte holds the repeated value
            i += run;
        }
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, (int)runs.Length);
        page.Write(length);
        runs.Position = 0;
        runs.CopyTo(page);
    }
}
