using System.CommandLine;
using System.Globalization;
using DevInsights.Core.Data;
using DevInsights.Core.Jobs;
using DevInsights.Core.Pricing;

namespace DevInsights.Web.Admin;

/// <summary>The price commands of <c>admin</c>: <c>import-prices &lt;file&gt; [--effective-from yyyy-MM-dd]</c> and <c>reprice</c>.</summary>
public static class AdminPricesCli
{
    public static IEnumerable<Command> Build(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var file = new Argument<FileInfo>("file") { Description = "A LiteLLM model_prices_and_context_window.json." };
        var effective = new Option<string?>("--effective-from") { Description = "First UTC day the prices apply (yyyy-MM-dd); default today." };
        var import = new Command("import-prices", "Import LiteLLM prices as new price versions (unchanged prices are skipped).") { file, effective };
        import.SetAction(async (parse, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            var day = DateOnly.FromDateTime(DateTime.UtcNow);
            if (parse.GetValue(effective) is { } text && !IsoDay.TryParse(text, out day))
            {
                await error.WriteLineAsync("error: --effective-from must be a date as yyyy-MM-dd.");
                return 1;
            }
            if (!path.Exists)
            {
                await error.WriteLineAsync($"error: {path.FullName} does not exist.");
                return 1;
            }
            try
            {
                await using var stream = path.OpenRead();
                var result = await services.GetRequiredService<PriceCatalog>().ImportLiteLlmAsync(stream, day, "command line", ct);
                await output.WriteLineAsync($"Imported {result.Added} price(s) effective {day:yyyy-MM-dd}; {result.Unchanged} unchanged, {result.Skipped} skipped (not Anthropic or OpenAI chat models).");
                return 0;
            }
            catch (System.Text.Json.JsonException ex)
            {
                await error.WriteLineAsync("error: not a LiteLLM price file: " + ex.Message);
                return 1;
            }
        });

        var reprice = new Command("reprice",
            "Price stored events again with the current prices (the reprice job): unpriced models that now have a price, and replaced versions.");
        reprice.SetAction(async (_, ct) =>
        {
            var runner = services.GetRequiredService<JobRunner>();
            try
            {
                var result = await AdminCli.WithProgressAsync(output, "Re-pricing stored events", async report =>
                {
                    // The runner tells subscribers of progress at most every 100 ms; a line per whole percent is enough.
                    var shown = -1;
                    using var progress = runner.Subscribe(name =>
                    {
                        if (name != RepriceJob.JobName || runner.Running(name)?.Progress is not { Fraction: { } fraction } p) return;
                        var percent = (int)(fraction * 100);
                        if (Interlocked.Exchange(ref shown, percent) != percent) report(fraction, p.Message);
                    });
                    return await runner.RunAsync(RepriceJob.JobName, "cli", ct);
                });
                return await AdminJobsCli.WriteResultAsync(result, output, error);
            }
            catch (Exception ex) when (AdminJobsCli.IsRefusal(ex))
            {
                await error.WriteLineAsync("error: " + ex.Message);
                return 1;
            }
        });
        return [import, reprice];
    }
}
