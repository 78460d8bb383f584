using System.Text.Json;

namespace DevInsights.Core.Pricing;

/// <summary>Reads LiteLLM's <c>model_prices_and_context_window.json</c>: an object keyed by model id whose values carry
/// <c>litellm_provider</c> and per-token USD prices (<c>input_cost_per_token</c>, <c>output_cost_per_token</c>,
/// <c>cache_creation_input_token_cost</c>, <c>cache_creation_input_token_cost_above_1hr</c>,
/// <c>cache_read_input_token_cost</c>). Only Anthropic and OpenAI chat models with input and output prices are taken.</summary>
public static class LiteLlmPrices
{
    public sealed record ParseResult(IReadOnlyList<PriceRates> Entries, int Skipped);

    private static readonly HashSet<string> Providers = new(StringComparer.OrdinalIgnoreCase) { PriceProviders.Anthropic, PriceProviders.OpenAI };

    /// <exception cref="JsonException">The file is not a JSON object.</exception>
    public static async Task<ParseResult> ParseAsync(Stream json, CancellationToken ct = default)
    {
        using var document = await JsonDocument.ParseAsync(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }, ct);
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("The file is not a JSON object keyed by model.");
        var entries = new List<PriceRates>();
        var skipped = 0;
        foreach (var model in document.RootElement.EnumerateObject())
        {
            var v = model.Value;
            if (v.ValueKind != JsonValueKind.Object
                || !(v.TryGetProperty("litellm_provider", out var provider) && provider.ValueKind == JsonValueKind.String && Providers.Contains(provider.GetString()!))
                || (v.TryGetProperty("mode", out var mode) && mode.ValueKind == JsonValueKind.String && mode.GetString() is not ("chat" or "responses" or "completion"))
                || PerMillion(v, "input_cost_per_token") is not { } input || PerMillion(v, "output_cost_per_token") is not { } output)
            {
                skipped++;
                continue;
            }
            // Keys may carry a provider prefix ("anthropic/claude-..."): the price is for the bare model id.
            var id = model.Name.Trim().ToLowerInvariant();
            var slash = id.LastIndexOf('/');
            if (slash >= 0) id = id[(slash + 1)..];
            if (id.Length is 0 or > 200)
            {
                skipped++;
                continue;
            }
            entries.Add(new PriceRates(provider.GetString()!.ToLowerInvariant(), id, input, output,
                PerMillion(v, "cache_creation_input_token_cost"), PerMillion(v, "cache_creation_input_token_cost_above_1hr"),
                PerMillion(v, "cache_read_input_token_cost")));
        }
        // The same bare id under two keys (with and without prefix): keep the first.
        var distinct = entries.DistinctBy(e => e.Model).ToList();
        return new ParseResult(distinct, skipped + entries.Count - distinct.Count);
    }

    /// <summary>Per-token USD as USD per million tokens, rounded to 6 decimals (binary floating point leaves 3.0000000000000004).</summary>
    private static double? PerMillion(JsonElement value, string property) =>
        value.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.Number && p.GetDouble() is var d && d >= 0 && double.IsFinite(d)
            ? Math.Round(d * 1_000_000d, 6)
            : null;
}
