namespace DevInsights.Core.Export.Parquet;

/// <summary>The column kinds the writer supports: each maps to one Parquet physical type and logical type.</summary>
public enum ParquetKind
{
    /// <summary>INT64, signed.</summary>
    Int64,
    /// <summary>DOUBLE. Costs are written as DOUBLE: the database stores them as double precision, so a DECIMAL would
    /// claim an exactness the source does not have.</summary>
    Double,
    /// <summary>BOOLEAN.</summary>
    Boolean,
    /// <summary>BYTE_ARRAY with logical type STRING (UTF-8).</summary>
    String,
    /// <summary>INT64 with logical type TIMESTAMP(isAdjustedToUTC = true, unit = MICROS).</summary>
    Timestamp,
    /// <summary>INT32 with logical type DATE (days since 1970-01-01).</summary>
    Date,
}

/// <summary>One flat column: a name, a kind and whether it may hold nulls (OPTIONAL) or not (REQUIRED).</summary>
public sealed record ParquetColumn(string Name, ParquetKind Kind, bool Nullable = true);

/// <summary>How pages are compressed. GZIP uses System.IO.Compression; Snappy is not implemented.</summary>
public enum ParquetCompression
{
    None = 0,
    Gzip = 2,
}

/// <summary>Parquet's numeric codes for the thrift structures the writer emits (parquet.thrift).</summary>
internal static class ParquetCodes
{
    public const int TypeBoolean = 0, TypeInt32 = 1, TypeInt64 = 2, TypeDouble = 5, TypeByteArray = 6;
    public const int Required = 0, Optional = 1;
    public const int ConvertedUtf8 = 0, ConvertedDate = 6, ConvertedTimestampMicros = 10;
    public const int EncodingPlain = 0, EncodingRle = 3;
    public const int PageData = 0;

    public static int PhysicalType(ParquetKind kind) => kind switch
    {
        ParquetKind.Int64 or ParquetKind.Timestamp => TypeInt64,
        ParquetKind.Double => TypeDouble,
        ParquetKind.Boolean => TypeBoolean,
        ParquetKind.String => TypeByteArray,
        ParquetKind.Date => TypeInt32,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
