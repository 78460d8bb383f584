using System.CommandLine;
using System.Globalization;
using DevInsights.Core.Data;
using DevInsights.Core.Export;
using DevInsights.Core.Jobs;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace DevInsights.Web.Admin;

/// <summary><c>admin export --from DAY --to DAY --format parquet|csv|jsonl --out DIR [--dataset NAME]...</c>: daily files of
/// a range, partitioned like the snapshots, with a progress bar.</summary>
public static partial class AdminCli
{
    private static Command BuildExportCommand(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var from = new Option<string>("--from") { Description = "First UTC day, yyyy-MM-dd.", Required = true };
        var to = new Option<string>("--to") { Description = "Last UTC day (inclusive), yyyy-MM-dd.", Required = true };
        var format = new Option<string>("--format") { Description = "File format.", DefaultValueFactory = _ => "parquet" };
        format.AcceptOnlyFromAmong("parquet", "csv", "jsonl");
        var directory = new Option<string>("--out") { Description = "Directory to write into (created when missing).", Required = true };
        var datasets = new Option<string[]>("--dataset")
        {
            Description = "A dataset to export (repeatable); all of them by default.",
            AllowMultipleArgumentsPerToken = true,
        };
        datasets.AcceptOnlyFromAmong([.. ExportDataset.All.Select(d => d.Name)]);

        var command = new Command("export", "Export datasets for a range of days as daily files (year=YYYY/month=MM/ partitions).")
        {
            from, to, format, directory, datasets,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!IsoDay.TryParse(parse.GetRequiredValue(from), out var first) || !IsoDay.TryParse(parse.GetRequiredValue(to), out var last))
            {
                await error.WriteLineAsync("error: --from and --to must be days written yyyy-MM-dd.");
                return 1;
            }
            if (last < first)
            {
                await error.WriteLineAsync("error: --to is before --from.");
                return 1;
            }
            ExportFormats.TryParse(parse.GetValue(format), out var kind);
            var names = parse.GetValue(datasets) is { Length: > 0 } chosen ? chosen : [.. ExportDataset.All.Select(d => d.Name)];
            var selected = ExportDataset.All.Where(d => names.Contains(d.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            var target = Path.GetFullPath(parse.GetRequiredValue(directory));
            var export = services.GetRequiredService<DailyExport>();
            var compression = services.GetRequiredService<IOptions<ExportOptions>>().Value.Compression;

            var result = await WithProgressAsync(output, $"Exporting {first:yyyy-MM-dd} to {last:yyyy-MM-dd}", report =>
                export.RunAsync(selected, first, last, kind, target, compression, new InlineProgress<ExportProgress>(p => report(p.Fraction, p.Message)), ct));
            await output.WriteLineAsync(
                $"Wrote {result.Files:N0} file(s), {result.Rows:N0} rows, {result.Bytes:N0} bytes to {target}.");
            return 0;
        });
        return command;
    }

    /// <summary>Runs <paramref name="work"/>, showing what it reports (a fraction in [0, 1] and a message): a bar redrawn in place
    /// on a terminal; piped (scripts, CI logs), where a redrawn bar would be noise, one line per report.</summary>
    internal static async Task<T> WithProgressAsync<T>(TextWriter output, string title, Func<Action<double, string>, Task<T>> work)
    {
        if (!IsTerminal(output))
            return await work((fraction, message) =>
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Math.Round(fraction * 100),3}%] {message}")));
        T result = default!;
        await ConsoleFor(output, interactive: true).Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 1);
                result = await work((fraction, message) =>
                {
                    task.Value = fraction;
                    task.Description = Markup.Escape(message);
                });
                task.Value = 1;
            });
        return result;
    }
}
