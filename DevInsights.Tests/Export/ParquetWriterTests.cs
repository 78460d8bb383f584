using System.Globalization;
using DevInsights.Core.Export.Parquet;

namespace DevInsights.Tests.Export;

public sealed class ParquetWriterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "devinsights-parquet", Guid.NewGuid().ToString("N"));

    public ParquetWriterTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly ParquetColumn[] Columns =
    [
        new("id", ParquetKind.Int64, Nullable: false),
        new("happened_at", ParquetKind.Timestamp, Nullable: false),
        new("day", ParquetKind.Date),
        new("tool", ParquetKind.String),
        new("cost_usd", ParquetKind.Double),
        new("success", ParquetKind.Boolean),
    ];

    [Theory]
    [InlineData(ParquetCompression.None, 1000)]
    [InlineData(ParquetCompression.Gzip, 7)]
    public async Task DuckDB_reads_every_value_type_and_null_back(ParquetCompression compression, int rowGroupSize)
    {
        var path = Path.Combine(_directory, $"values-{compression}.parquet");
        var start = new DateTime(2031, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1230); // 123 µs
        var rows = Enumerable.Range(0, 40).Select(i => (
            Id: (long)i - 5,
            At: start.AddMinutes(i * 97),
            Day: i % 5 == 0 ? (DateOnly?)null : DateOnly.FromDateTime(start).AddDays(i),
            Tool: i % 3 == 0 ? null : i % 2 == 0 ? "Bash" : "Edit «ü»",
            Cost: i % 4 == 0 ? (double?)null : i * 0.125,
            Success: i % 7 == 0 ? (bool?)null : i % 2 == 0)).ToList();
        await using (var file = File.Create(path))
        {
            var writer = new ParquetWriter(file, Columns, compression, rowGroupSize);
            foreach (var r in rows)
            {
                writer.WriteInt64(0, r.Id);
                writer.WriteTimestamp(1, r.At);
                if (r.Day is { } day) writer.WriteDate(2, day); else writer.WriteNull(2);
                if (r.Tool is { } tool) writer.WriteString(3, tool); else writer.WriteNull(3);
                if (r.Cost is { } cost) writer.WriteDouble(4, cost); else writer.WriteNull(4);
                if (r.Success is { } success) writer.WriteBoolean(5, success); else writer.WriteNull(5);
                writer.EndRow();
            }
            writer.Finish();
        }

        var all = await DuckDb.QueryAsync(
            $"SELECT id, strftime(happened_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS at_text, day::VARCHAR AS day, tool, cost_usd, success, happened_at " +
            $"FROM read_parquet({DuckDb.Literal(path)}) ORDER BY id");
        Assert.StartsWith("TIMESTAMP", all.TypeOf("happened_at"));
        Assert.Equal(rows.Count, all.Rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (expected, actual) = (rows[i], all.Rows[i]);
            Assert.Equal(expected.Id.ToString(CultureInfo.InvariantCulture), actual[0].ToString());
            Assert.Equal(expected.At.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture), actual[1].GetString());
            Assert.Equal(expected.Day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), actual[2].ValueKind == System.Text.Json.JsonValueKind.Null ? null : actual[2].GetString());
            Assert.Equal(expected.Tool, actual[3].ValueKind == System.Text.Json.JsonValueKind.Null ? null : actual[3].GetString());
            Assert.Equal(expected.Cost, actual[4].ValueKind == System.Text.Json.JsonValueKind.Null ? null : actual[4].GetDouble());
            Assert.Equal(expected.Success, actual[5].ValueKind == System.Text.Json.JsonValueKind.Null ? null : actual[5].GetBoolean());
        }

        var schema = await DuckDb.QueryAsync($"DESCRIBE SELECT * FROM read_parquet({DuckDb.Literal(path)})");
        var types = schema.Rows.ToDictionary(r => r[0].GetString()!, r => r[1].GetString()!);
        Assert.Equal("BIGINT", types["id"]);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", types["happened_at"]);
        Assert.Equal("DATE", types["day"]);
        Assert.Equal("VARCHAR", types["tool"]);
        Assert.Equal("DOUBLE", types["cost_usd"]);
        Assert.Equal("BOOLEAN", types["success"]);
    }

    [Fact]
    public async Task Statistics_and_row_groups_are_what_DuckDB_sees_in_the_metadata()
    {
        var path = Path.Combine(_directory, "stats.parquet");
        await using (var file = File.Create(path))
        {
            var writer = new ParquetWriter(file, Columns, ParquetCompression.Gzip, rowGroupSize: 10);
            for (var i = 0; i < 25; i++)
            {
                writer.WriteInt64(0, 100 - i);
                writer.WriteTimestamp(1, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddHours(i));
                writer.WriteNull(2);
                writer.WriteString(3, i < 10 ? "b" + i : "a" + i);
                if (i % 2 == 0) writer.WriteNull(4); else writer.WriteDouble(4, i);
                writer.WriteBoolean(5, true);
                writer.EndRow();
            }
            writer.Finish();
        }
        var meta = await DuckDb.QueryAsync(
            $"SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count, compression " +
            $"FROM parquet_metadata({DuckDb.Literal(path)}) ORDER BY row_group_id, column_id");
        Assert.Equal(3 * Columns.Length, meta.Rows.Count);
        string? Cell(int group, string column, int field)
        {
            var v = meta.Rows.Single(r => r[0].ToString() == group.ToString(CultureInfo.InvariantCulture) && r[1].GetString() == column)[field];
            return v.ValueKind == System.Text.Json.JsonValueKind.Null ? null : v.ToString();
        }
        Assert.Equal(("91", "100"), (Cell(0, "id", 2), Cell(0, "id", 3)));
        Assert.Equal(("76", "80"), (Cell(2, "id", 2), Cell(2, "id", 3)));
        Assert.Equal(("b0", "b9"), (Cell(0, "tool", 2), Cell(0, "tool", 3)));
        Assert.Equal(("a10", "a19"), (Cell(1, "tool", 2), Cell(1, "tool", 3)));
        Assert.Equal("10", Cell(0, "day", 4));
        Assert.Equal("5", Cell(0, "cost_usd", 4));
        Assert.Equal(("11.0", "19.0"), (Cell(1, "cost_usd", 2), Cell(1, "cost_usd", 3)));
        Assert.Equal("GZIP", Cell(0, "id", 5));
        var rows = await DuckDb.QueryAsync($"SELECT count(*), min(id), sum(cost_usd) FROM read_parquet({DuckDb.Literal(path)}) WHERE id < 80");
        Assert.Equal(["4", "76", "44"], rows.Rows[0].Select(v => v.ToString()));
    }

    [Fact]
    public async Task A_file_without_rows_still_has_its_schema()
    {
        var path = Path.Combine(_directory, "empty.parquet");
        await using (var file = File.Create(path)) new ParquetWriter(file, Columns).Finish();
        var result = await DuckDb.QueryAsync($"SELECT count(*) AS n FROM read_parquet({DuckDb.Literal(path)})");
        Assert.Equal("0", result.Rows[0][0].ToString());
    }

    [Fact]
    public void A_row_missing_a_column_is_refused()
    {
        using var stream = new MemoryStream();
        var writer = new ParquetWriter(stream, Columns);
        writer.WriteInt64(0, 1);
        var error = Assert.Throws<InvalidOperationException>(writer.EndRow);
        Assert.Contains("'happened_at'", error.Message);
        Assert.Throws<InvalidOperationException>(() => writer.WriteNull(0));
    }
}
