using DevInsights.Core.Jobs;
using Microsoft.Extensions.Options;

namespace DevInsights.Core.Export;

/// <summary>The <c>parquet-export</c> job: daily Parquet snapshots of every dataset, one file per dataset and UTC day under
/// <c>{export directory}/{dataset}/year=YYYY/month=MM/</c>. Each run exports the finished days of the last
/// <see cref="ExportOptions.BackfillDays"/> that have no snapshot yet and re-exports the last
/// <see cref="ExportOptions.RefreshDays"/> (late events); a day written again is replaced whole.</summary>
public sealed class ParquetExportJob(DailyExport export, ExportPaths paths, IOptions<ExportOptions> options, TimeProvider clock) : IDevInsightsJob
{
    public const string JobName = "parquet-export";

    public string Name => JobName;
    public string Description => "Writes daily Parquet snapshots (sessions, events, tool usage, daily stats) to the export directory.";
    public string? DefaultSchedule => "0 30 0 * * ?";
    public string? DisabledReason => null;

    public async Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct)
    {
        var o = options.Value;
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var days = Enumerable.Range(1, o.BackfillDays).Select(i => today.AddDays(-i))
            .Where(d => d >= today.AddDays(-o.RefreshDays) || ExportDataset.All.Any(s => !File.Exists(ExportService.PathOf(paths.Directory, s, d, ExportFormat.Parquet))))
            .Order().ToList();
        if (days.Count == 0) return new JobOutcome("Every day already has its snapshot", new Dictionary<string, long> { ["days"] = 0, ["files"] = 0, ["rows"] = 0 });

        // One run for every day, however scattered: the rollups are brought up to date once, and progress moves through the
        // rollup pass and then every file in order (reported inline, so the Jobs page never sees it go back).
        var progress = new InlineProgress<ExportProgress>(p => context.Progress.Report(new JobProgress(p.Fraction, p.Message)));
        var result = await export.RunAsync(ExportDataset.All, DayRange.Consecutive(days), ExportFormat.Parquet, paths.Directory, o.Compression, progress, ct);
        return new JobOutcome($"Wrote {result.Files:N0} Parquet file(s) ({result.Rows:N0} rows) for {days.Count:N0} day(s), {days[0]:yyyy-MM-dd} to {days[^1]:yyyy-MM-dd}",
            new Dictionary<string, long> { ["days"] = days.Count, ["files"] = result.Files, ["rows"] = result.Rows, ["bytes"] = result.Bytes });
    }
}
