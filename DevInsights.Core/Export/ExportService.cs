using System.Data.Common;
using System.Globalization;
using DevInsights.Core.Data;
using DevInsights.Core.Export.Parquet;

namespace DevInsights.Core.Export;

/// <summary>Progress of a file export: rows written so far, and the share of the whole run done, in [0, 1].</summary>
public readonly record struct ExportProgress(long Rows, double Fraction, string Message);

/// <summary>What a file export wrote.</summary>
public sealed record ExportFilesResult(int Files, long Rows, long Bytes);

/// <summary>UTC days <paramref name="From"/> to <paramref name="To"/>, both included.</summary>
public readonly record struct DayRange(DateOnly From, DateOnly To)
{
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>Sorted days as the fewest ranges of consecutive days.</summary>
    public static List<DayRange> Consecutive(IEnumerable<DateOnly> days)
    {
        var ranges = new List<DayRange>();
        foreach (var d in days.Order())
        {
            if (ranges.Count > 0 && ranges[^1].To.AddDays(1) >= d) ranges[^1] = ranges[^1] with { To = d };
            else ranges.Add(new DayRange(d, d));
        }
        return ranges;
    }
}

/// <summary>Streams datasets out of the database: to one stream (the export API), or as daily files partitioned
/// <c>{dataset}/year=YYYY/month=MM/{dataset}-YYYY-MM-DD.{ext}</c> (snapshots, the admin page and command).</summary>
/// <remarks>Rows are read with a forward-only reader and written as they come: nothing holds a whole range. Each daily
/// file is written to a temporary name beside it and renamed into place, so a reader never sees half a file and writing a
/// day again replaces it whole (idempotent per day).</remarks>
public sealed class ExportService(DatabaseConnections connections)
{
    /// <summary>Writes the rows of <paramref name="dataset"/> with time in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <returns>The number of rows written.</returns>
    /// <remarks>The export API's text formats; Parquet, written to files, is compressed there.</remarks>
    public async Task<long> StreamAsync(ExportDataset dataset, DateTime from, DateTime to, ExportFormat format, Stream output, CancellationToken ct = default)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var command = Query(connection, dataset, from, to);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var sink = ExportSink.Create(format, output, dataset.Columns, ParquetCompression.None);
        long count = 0;
        while (await reader.ReadAsync(ct))
        {
            await sink.WriteRowAsync(reader, ct);
            count++;
        }
        await sink.CompleteAsync(ct);
        return count;
    }

    /// <summary>Writes one file per dataset and UTC day of <paramref name="ranges"/>, days without rows included (an empty
    /// file still says the day was exported). <paramref name="progress"/> gets the share of files written.</summary>
    public async Task<ExportFilesResult> WriteDailyFilesAsync(IReadOnlyList<ExportDataset> datasets, IReadOnlyList<DayRange> ranges, ExportFormat format,
        string directory, ParquetCompression compression = ParquetCompression.None, IProgress<ExportProgress>? progress = null, CancellationToken ct = default)
    {
        foreach (var r in ranges)
            if (r.To < r.From) throw new ArgumentOutOfRangeException(nameof(ranges), $"The range {IsoDay.Format(r.From)} to {IsoDay.Format(r.To)} ends before it starts.");
        var total = ranges.Sum(r => r.Days) * datasets.Count;
        int files = 0;
        long rows = 0, bytes = 0;
        foreach (var dataset in datasets)
        {
            foreach (var range in ranges)
            {
                await using var connection = await connections.OpenAsync(ct);
                await using var command = Query(connection, dataset, Start(range.From), Start(range.To.AddDays(1)));
                await using var reader = await command.ExecuteReaderAsync(ct);
                var hasRow = await reader.ReadAsync(ct);
                for (var day = range.From; day <= range.To; day = day.AddDays(1))
                {
                    using var file = new AtomicFile(PathOf(directory, dataset, day, format));
                    long written = 0;
                    await using (var stream = file.Open())
                    {
                        var sink = ExportSink.Create(format, stream, dataset.Columns, compression);
                        while (hasRow && DayOf(reader, dataset) == day)
                        {
                            await sink.WriteRowAsync(reader, ct);
                            written++;
                            hasRow = await reader.ReadAsync(ct);
                        }
                        await sink.CompleteAsync(ct);
                        bytes += stream.Length;
                    }
                    file.Commit();
                    rows += written;
                    progress?.Report(new ExportProgress(rows, (double)++files / total, $"{dataset.Name} {IsoDay.Format(day)}: {written:N0} rows"));
                }
            }
        }
        return new ExportFilesResult(files, rows, bytes);
    }

    /// <summary><c>{directory}/{dataset}/year=YYYY/month=MM/{dataset}-YYYY-MM-DD.{ext}</c>.</summary>
    public static string PathOf(string directory, ExportDataset dataset, DateOnly day, ExportFormat format) =>
        Path.Combine(directory, dataset.Name, day.ToString("'year='yyyy", CultureInfo.InvariantCulture), day.ToString("'month='MM", CultureInfo.InvariantCulture),
            $"{dataset.Name}-{IsoDay.Format(day)}.{format.Extension()}");

    private static DateTime Start(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private static DateOnly DayOf(DbDataReader reader, ExportDataset dataset) => DateOnly.FromDateTime(reader.GetDateTime(dataset.TimeColumn));

    private static DbCommand Query(DbConnection connection, ExportDataset dataset, DateTime from, DateTime to)
    {
        var command = Rollups.RollupSql.Command(connection, null, dataset.Sql, new Dictionary<string, object>
        {
            ["@from"] = DateTime.SpecifyKind(from, DateTimeKind.Utc),
            ["@to"] = DateTime.SpecifyKind(to, DateTimeKind.Utc),
        });
        command.CommandTimeout = 0; // a long export is not an error
        return command;
    }
}

/// <summary>A file written under a temporary name in its own directory and renamed over the final name on
/// <see cref="Commit"/> (atomic on one file system); deleted on dispose when not committed (a failed or cancelled export).</summary>
internal sealed class AtomicFile(string path) : IDisposable
{
    private readonly string _temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
    private bool _committed;

    public FileStream Open()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.None);
    }

    public void Commit()
    {
        File.Move(_temporary, path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed) File.Delete(_temporary);
    }
}
