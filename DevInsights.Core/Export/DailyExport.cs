using DevInsights.Core.Export.Parquet;
using DevInsights.Core.Rollups;

namespace DevInsights.Core.Export;

/// <summary>Daily files of a range for the snapshot job, the admin page and <c>admin export</c>: brings the rollups up to
/// date first when a dataset reads them, then writes the files.</summary>
public sealed class DailyExport(ExportService export, RollupBuilder rollups)
{
    public async Task<ExportFilesResult> RunAsync(IReadOnlyList<ExportDataset> datasets, DateOnly from, DateOnly to, ExportFormat format,
        string directory, ParquetCompression compression, IProgress<ExportProgress>? progress = null, CancellationToken ct = default)
    {
        if (datasets.Any(d => d.FromRollups))
        {
            progress?.Report(new ExportProgress(0, 0, 0, "Rolling up new events"));
            await rollups.RunAsync(ct: ct);
        }
        return await export.WriteDailyFilesAsync(datasets, from, to, format, directory, compression, progress, ct);
    }
}
