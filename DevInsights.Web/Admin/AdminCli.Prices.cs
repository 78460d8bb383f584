using System.CommandLine;
using DevInsights.Core.Data;
using DevInsights.Core.Pricing;

namespace DevInsights.Web.Admin;

/// <summary>The price command of <c>admin</c>: <c>import-prices &lt;file&gt; [--effective-from yyyy-MM-dd]</c>.</summary>
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
        return [import];
    }
}
