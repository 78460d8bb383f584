using System.Buffers.Binary;
using System.Text;

namespace DevInsights.Core.Export.Parquet;

/// <summary>The write half of Apache Thrift's compact protocol, as Parquet uses it for page headers and the file
/// footer: structs of numbered fields, zigzag varints, length-prefixed binaries and lists.</summary>
/// <remarks>Part of the hand-written Parquet writer (no .NET Parquet library is available to this project).</remarks>
internal sealed class ThriftCompactWriter
{
    private const byte TypeTrue = 1, TypeFalse = 2, TypeI16 = 4, TypeI32 = 5, TypeI64 = 6, TypeBinary = 8, TypeList = 9, TypeStruct = 12;

    private readonly MemoryStream _buffer = new();
    private readonly Stack<short> _lastField = new();
    private short _last;

    public byte[] ToArray() => _buffer.ToArray();

    public void BeginStruct()
    {
        _lastField.Push(_last);
        _last = 0;
    }

    public void EndStruct()
    {
        _buffer.WriteByte(0); // STOP
        _last = _lastField.Pop();
    }

    public void I16(short field, short value)
    {
        Header(field, TypeI16);
        Varint(ZigZag(value));
    }

    public void I32(short field, int value)
    {
        Header(field, TypeI32);
        Varint(ZigZag(value));
    }

    public void I64(short field, long value)
    {
        Header(field, TypeI64);
        Varint(ZigZag(value));
    }

    public void Bool(short field, bool value) => Header(field, value ? TypeTrue : TypeFalse);

    public void Binary(short field, ReadOnlySpan<byte> value)
    {
        Header(field, TypeBinary);
        Varint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void String(short field, string value) => Binary(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A struct field: write its fields, then <see cref="EndStruct"/>.</summary>
    public void Struct(short field)
    {
        Header(field, TypeStruct);
        BeginStruct();
    }

    /// <summary>An empty struct field (Parquet's marker types, e.g. <c>StringType</c>, <c>MICROS</c>).</summary>
    public void EmptyStruct(short field)
    {
        Struct(field);
        EndStruct();
    }

    public void ListOfI32(short field, IReadOnlyList<int> values)
    {
        ListHeader(field, TypeI32, values.Count);
        foreach (var v in values) Varint(ZigZag(v));
    }

    public void ListOfStrings(short field, IReadOnlyList<string> values)
    {
        ListHeader(field, TypeBinary, values.Count);
        foreach (var v in values)
        {
            var bytes = Encoding.UTF8.GetBytes(v);
            Varint((ulong)bytes.Length);
            _buffer.Write(bytes);
        }
    }

    /// <summary>A list of structs: call <paramref name="writeElement"/> once per element; each writes its fields
    /// between <see cref="BeginStruct"/> and <see cref="EndStruct"/>, which this does for it.</summary>
    public void ListOfStructs<T>(short field, IReadOnlyList<T> values, Action<ThriftCompactWriter, T> writeElement)
    {
        ListHeader(field, TypeStruct, values.Count);
        foreach (var v in values)
        {
            BeginStruct();
            writeElement(this, v);
            EndStruct();
        }
    }

    private void ListHeader(short field, byte elementType, int count)
    {
        Header(field, TypeList);
        if (count < 15) _buffer.WriteByte((byte)((count << 4) | elementType));
        else
        {
            _buffer.WriteByte((byte)(0xF0 | elementType));
            Varint((ulong)count);
        }
    }

    private void Header(short field, byte type)
    {
        var delta = field - _last;
        if (delta is > 0 and <= 15) _buffer.WriteByte((byte)((delta << 4) | type));
        else
        {
            _buffer.WriteByte(type);
            Varint(ZigZag(field));
        }
        _last = field;
    }

    private void Varint(ulong value)
    {
        Span<byte> bytes = stackalloc byte[10];
        var n = 0;
        while (value >= 0x80)
        {
            bytes[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        bytes[n++] = (byte)value;
        _buffer.Write(bytes[..n]);
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    /// <summary>Little-endian bytes of a value, as Parquet statistics hold them (PLAIN encoding).</summary>
    internal static byte[] Plain(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }
}
