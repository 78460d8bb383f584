using DevInsights.Core.Export.Parquet;
using DevInsights.Core.Jobs;
using DevInsights.Core.Rollups;

namespace DevInsights.Core.Export;

/// <summary>Daily files of a range for the snapshot job, the admin page and <c>admin export</c>: brings the rollups up to
/// date first when a dataset reads them, then writes the files.</summary>
public sealed class DailyExport(ExportService export, RollupBuilder rollups)
{
    /// <summary>The share of the progress bar given to the rollup pass when one runs. A pass folds only the events stored
    /// since the last one, usually seconds against the files' minutes; a first pass over a large backlog is slower, and
    /// its own progress then moves within this share.</summary>
    public const double RollupShare = 0.2;

    public Task<ExportFilesResult> RunAsync(IReadOnlyList<ExportDataset> datasets, DateOnly from, DateOnly to, ExportFormat format,
        string directory, ParquetCompression compression, IProgress<ExportProgress>? progress = null, CancellationToken ct = default) =>
        RunAsync(datasets, [new DayRange(from, to)], format, directory, compression, progress, ct);

    /// <summary>Writes the files of every range after one rollup pass (not one per range: the pass covers every day).
    /// <paramref name="progress"/> starts at 0, moves through the rollup pass, then the files, and ends at 1.</summary>
    public async Task<ExportFilesResult> RunAsync(IReadOnlyList<ExportDataset> datasets, IReadOnlyList<DayRange> ranges, ExportFormat format,
        string directory, ParquetCompression compression, IProgress<ExportProgress>? progress = null, CancellationToken ct = default)
    {
        var share = datasets.Any(d => d.FromRollups) ? RollupShare : 0;
        if (share > 0)
        {
            progress?.Report(new ExportProgress(0, 0, "Rolling up new events"));
            await rollups.RunAsync(progress is null ? null : new InlineProgress<JobProgress>(p =>
                progress.Report(new ExportProgress(0, share * (p.Fraction ?? 0), $"Rolling up new events: {p.Message}"))), ct);
        }
        else progress?.Report(new ExportProgress(0, 0, "Starting"));
        return await export.WriteDailyFilesAsync(datasets, ranges, format, directory, compression, progress is null ? null
            : new InlineProgress<ExportProgress>(p => progress.Report(p with { Fraction = share + (1 - share) * p.Fraction })), ct);
    }
}
