using DevInsights.Core.Configuration;
using DevInsights.Core.Export;
using DevInsights.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DevInsights.Tests.Export;

public sealed class ExportOptionsTests
{
    [Fact]
    public void Every_bad_setting_is_listed_with_its_key()
    {
        var validator = new ExportOptionsValidator();
        var export = validator.Validate(null, new ExportOptions { BackfillDays = 0, RefreshDays = 3, Compression = (Core.Export.Parquet.ParquetCompression)1 });
        Assert.Equal(
        [
            "DevInsights:Jobs:parquet-export:Compression must be Gzip or None (was '1').",
            "DevInsights:Jobs:parquet-export:BackfillDays must be between 1 and 3660 (was 0).",
            "DevInsights:Jobs:parquet-export:RefreshDays must be between 0 and DevInsights:Jobs:parquet-export:BackfillDays (was 3).",
        ], export.Failures);
        Assert.Equal(["DevInsights:Jobs:event-retention:Days must be between 0 (keep forever) and 36500 (was -1)."],
            validator.Validate(null, new EventRetentionOptions { Days = -1 }).Failures);
        Assert.True(validator.Validate(null, new ExportRetentionOptions { Days = 0 }).Succeeded);
    }

    [Fact]
    public async Task The_app_refuses_to_start_with_a_bad_retention_setting_and_defaults_the_export_directory()
    {
        var bad = await Assert.ThrowsAnyAsync<OptionsValidationException>(async () =>
        {
            await using var app = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite,
                new Dictionary<string, string?> { ["DevInsights:Jobs:export-retention:Days"] = "-5" });
        });
        Assert.Contains("DevInsights:Jobs:export-retention:Days", bad.Message);

        await using var ok = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite);
        Assert.Equal(Path.Combine(Path.GetFullPath(ok.Database.DataDirectory), "exports"), ok.Services.GetRequiredService<ExportPaths>().Directory);
    }
}
