using DevInsights.Core.Configuration;
using DevInsights.Core.Export.Parquet;
using Microsoft.Extensions.Options;

namespace DevInsights.Core.Export;

/// <summary><c>DevInsights:Jobs:parquet-export</c>: where exports go and how the daily Parquet snapshots are written.</summary>
public sealed class ExportOptions
{
    public const string SectionName = "DevInsights:Jobs:" + ParquetExportJob.JobName;

    /// <summary>The export directory (snapshots, the admin page's exports); empty means <c>&lt;DataDirectory&gt;/exports</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Parquet page compression: <c>Gzip</c> (default) or <c>None</c>.</summary>
    public ParquetCompression Compression { get; set; } = ParquetCompression.Gzip;

    /// <summary>Days before today a run looks at: any of them without a snapshot is exported (default 7).</summary>
    public int BackfillDays { get; set; } = 7;

    /// <summary>The most recent days re-exported on every run, so late events reach their day's snapshot (default 2).</summary>
    public int RefreshDays { get; set; } = 2;
}

/// <summary><c>DevInsights:Jobs:event-retention</c>.</summary>
public sealed class EventRetentionOptions
{
    public const string SectionName = "DevInsights:Jobs:" + Retention.EventRetentionJob.JobName;

    /// <summary>Raw events older than this many days are deleted once their rollups are verified; 0 (default) keeps them forever.</summary>
    public int Days { get; set; }
}

/// <summary><c>DevInsights:Jobs:export-retention</c>.</summary>
public sealed class ExportRetentionOptions
{
    public const string SectionName = "DevInsights:Jobs:" + Retention.ExportRetentionJob.JobName;

    /// <summary>Export files last written more than this many days ago are deleted; 0 (default) keeps them forever.</summary>
    public int Days { get; set; }
}

/// <summary>The export directory, resolved once: <see cref="ExportOptions.Directory"/> or <c>&lt;DataDirectory&gt;/exports</c>.</summary>
public sealed class ExportPaths(IOptions<ExportOptions> export, IOptions<DevInsightsOptions> app)
{
    public string Directory { get; } = Path.GetFullPath(string.IsNullOrWhiteSpace(export.Value.Directory)
        ? Path.Combine(app.Value.DataDirectory, "exports")
        : export.Value.Directory);
}

/// <summary>Lists every error of the export and retention settings at start-up, naming the key.</summary>
public sealed class ExportOptionsValidator : IValidateOptions<ExportOptions>, IValidateOptions<EventRetentionOptions>, IValidateOptions<ExportRetentionOptions>
{
    private const int MaxDays = 36_500;

    public ValidateOptionsResult Validate(string? name, ExportOptions o)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(o.Compression))
            errors.Add($"{ExportOptions.SectionName}:Compression must be Gzip or None (was '{o.Compression}').");
        if (o.BackfillDays is < 1 or > 3_660)
            errors.Add($"{ExportOptions.SectionName}:BackfillDays must be between 1 and 3660 (was {o.BackfillDays}).");
        if (o.RefreshDays < 0 || o.RefreshDays > o.BackfillDays)
            errors.Add($"{ExportOptions.SectionName}:RefreshDays must be between 0 and {ExportOptions.SectionName}:BackfillDays (was {o.RefreshDays}).");
        if (!string.IsNullOrWhiteSpace(o.Directory) && o.Directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            errors.Add($"{ExportOptions.SectionName}:Directory is not a valid path.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public ValidateOptionsResult Validate(string? name, EventRetentionOptions o) => Days(EventRetentionOptions.SectionName, o.Days);

    public ValidateOptionsResult Validate(string? name, ExportRetentionOptions o) => Days(ExportRetentionOptions.SectionName, o.Days);

    private static ValidateOptionsResult Days(string section, int days) => days is >= 0 and <= MaxDays
        ? ValidateOptionsResult.Success
        : ValidateOptionsResult.Fail($"{section}:Days must be between 0 (keep forever) and {MaxDays} (was {days}).");
}
