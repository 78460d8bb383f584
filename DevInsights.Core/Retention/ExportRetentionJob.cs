using DevInsights.Core.Export;
using DevInsights.Core.Jobs;
using Microsoft.Extensions.Options;

namespace DevInsights.Core.Retention;

/// <summary>The <c>export-retention</c> job: deletes files in the export directory last written more than
/// <see cref="ExportRetentionOptions.Days"/> days ago (snapshots, admin exports, and temporary files an interrupted
/// export left behind), then the partition directories that became empty.</summary>
public sealed class ExportRetentionJob(ExportPaths paths, IOptions<ExportRetentionOptions> options, TimeProvider clock) : IDevInsightsJob
{
    public const string JobName = "export-retention";

    public string Name => JobName;
    public string Description => "Deletes export files older than the configured number of days.";
    public string? DefaultSchedule => "0 0 2 * * ?";
    public string? DisabledReason => options.Value.Days == 0 ? $"{ExportRetentionOptions.SectionName}:Days is 0: export files are kept forever" : null;

    public Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct)
    {
        if (DisabledReason is { } reason) return Task.FromResult(new JobOutcome(reason, new Dictionary<string, long> { ["files"] = 0 }));
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.Days);
        long files = 0, bytes = 0, directories = 0;
        var root = new DirectoryInfo(paths.Directory);
        if (root.Exists)
        {
            var old = root.EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.LastWriteTimeUtc < cutoff).ToList();
            foreach (var file in old)
            {
                ct.ThrowIfCancellationRequested();
                bytes += file.Length;
                file.Delete();
                if (++files % 100 == 0) context.Progress.Report(new JobProgress((double)files / old.Count, $"Deleted {files:N0} of {old.Count:N0} files"));
            }
            // Deepest first, so a month directory emptied by its days goes too; the export directory itself stays.
            foreach (var directory in root.EnumerateDirectories("*", SearchOption.AllDirectories).OrderByDescending(d => d.FullName.Length).ToList())
            {
                if (directory.EnumerateFileSystemInfos().Any()) continue;
                directory.Delete();
                directories++;
            }
        }
        return Task.FromResult(new JobOutcome(
            $"Deleted {files:N0} export file(s) ({bytes:N0} bytes) last written before {cutoff:yyyy-MM-dd HH:mm} UTC, and {directories:N0} empty director(ies)",
            new Dictionary<string, long> { ["files"] = files, ["bytes"] = bytes, ["directories"] = directories }));
    }
}
