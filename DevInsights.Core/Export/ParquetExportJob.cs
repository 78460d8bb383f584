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

        int files = 0;
        long rows = 0, bytes = 0;
        var ranges = Consecutive(days);
        var done = 0;
        foreach (var (from, to) in ranges)
        {
            var offset = done;
            var progress = new Progress<ExportProgress>(p => context.Progress.Report(new JobProgress(
                (offset * ExportDataset.All.Count + p.DaysDone) / (double)(days.Count * ExportDataset.All.Count), p.Message)));
            var result = await export.RunAsync(ExportDataset.All, from, to, ExportFormat.Parquet, paths.Directory, o.Compression, progress, ct);
            files += result.Files;
            rows += result.Rows;
            bytes += result.Bytes;
            done += to.DayNumber - from.DayNumber + 1;
        }
        return new JobOutcome($"Wrote {files:N0} Parquet file(s) ({rows:N0} rows) for {days.Count:N0} day(s), {days[0]:yyyy-MM-dd} to {days[^1]:yyyy-MM-dd}",
            new Dictionary<string, long> { ["days"] = days.Count, ["files"] = files, ["rows"] = rows, ["bytes"] = bytes });
    }

    private static List<(DateOnly From, DateOnly To)> Consecutive(List<DateOnly> days)
    {
        var ranges = new List<(DateOnly From, DateOnly To)>();
        foreach (var d in days)
        {
            if (ranges.Count > 0 && ranges[^1].To.AddDays(1) == d) ranges[^1] = (ranges[^1].From, d);
            else ranges.Add((d, d));
        }
        return ranges;
    }
}
