using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Pricing;

/// <summary>A new price version as an admin enters it.</summary>
public sealed record PriceInput(string? Provider, string? Model, DateOnly? EffectiveFrom, double? InputPerMtok, double? OutputPerMtok,
    double? CacheWrite5mPerMtok, double? CacheWrite1hPerMtok, double? CacheReadPerMtok, string? Note);

/// <summary>Refused input, keyed by the field at fault.</summary>
public sealed class PriceValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The price is not valid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>Stored usage of one model that could not be priced when it arrived (from <c>daily_costs</c>).</summary>
/// <param name="Model">The model id as the clients sent it; '' for events with no model.</param>
/// <param name="PricedNow">The price table has a price for it on <paramref name="LastDay"/> now: re-pricing will price them.</param>
public sealed record UnpricedModel(string Model, long Events, long Tokens, DateOnly FirstDay, DateOnly LastDay, bool PricedNow);

/// <summary>What an import changed.</summary>
public sealed record PriceImportResult(int Added, int Unchanged, int Skipped);

/// <summary>Reads and changes the price table (admin page, LiteLLM import, admin command); every change makes the
/// <see cref="PriceBook"/> reload, so ingestion prices with it from the next batch.</summary>
public sealed class PriceCatalog(IDbContextFactory<DevInsightsDbContext> dbFactory, PriceBook book, TimeProvider clock)
{
    /// <summary>Every price version, newest effective date first (the shipped defaults are inserted first if missing).</summary>
    public async Task<IReadOnlyList<Price>> ListAsync(CancellationToken ct = default)
    {
        await book.CurrentAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<Price>().AsNoTracking().OrderBy(p => p.Model).ThenByDescending(p => p.EffectiveFrom).ThenByDescending(p => p.Id).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<ModelAlias>> AliasesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<ModelAlias>().AsNoTracking().OrderBy(a => a.Alias).ToListAsync(ct);
    }

    /// <summary>Models with unpriced events, most events first: which prices are missing. Read from the daily rollup, never
    /// from the events.</summary>
    public async Task<IReadOnlyList<UnpricedModel>> UnpricedModelsAsync(CancellationToken ct = default)
    {
        var table = await book.CurrentAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Set<DailyCost>().AsNoTracking().Where(d => d.UnpricedEvents > 0).GroupBy(d => d.Model)
            .Select(g => new { Model = g.Key, Events = g.Sum(d => d.UnpricedEvents), Tokens = g.Sum(d => d.UnpricedTokens), First = g.Min(d => d.Day), Last = g.Max(d => d.Day) })
            .ToListAsync(ct);
        return [.. rows.Select(r => new UnpricedModel(r.Model, r.Events, r.Tokens, r.First, r.Last, table.Find(r.Model, r.Last) is not null))
            .OrderByDescending(m => m.Events).ThenBy(m => m.Model, StringComparer.Ordinal)];
    }

    /// <summary>Adds a version (an override when a version of the same model and day exists: the newest wins).</summary>
    /// <exception cref="PriceValidationException">A field is missing or out of range.</exception>
    public async Task<Price> AddAsync(PriceInput input, string? actor, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Provider)) errors["provider"] = ["Required."];
        if (string.IsNullOrWhiteSpace(input.Model) || input.Model.Trim().Length > 200) errors["model"] = ["Required, at most 200 characters."];
        if (input.EffectiveFrom is null) errors["effectiveFrom"] = ["Required (the first UTC day the price applies)."];
        Rate(errors, "inputPerMtok", input.InputPerMtok, required: true);
        Rate(errors, "outputPerMtok", input.OutputPerMtok, required: true);
        Rate(errors, "cacheWrite5mPerMtok", input.CacheWrite5mPerMtok, required: false);
        Rate(errors, "cacheWrite1hPerMtok", input.CacheWrite1hPerMtok, required: false);
        Rate(errors, "cacheReadPerMtok", input.CacheReadPerMtok, required: false);
        if (errors.Count > 0) throw new PriceValidationException(errors);

        var price = new Price
        {
            Provider = input.Provider!.Trim().ToLowerInvariant(), Model = input.Model!.Trim().ToLowerInvariant(), EffectiveFrom = input.EffectiveFrom!.Value,
            InputPerMtok = input.InputPerMtok!.Value, OutputPerMtok = input.OutputPerMtok!.Value, CacheWrite5mPerMtok = input.CacheWrite5mPerMtok,
            CacheWrite1hPerMtok = input.CacheWrite1hPerMtok, CacheReadPerMtok = input.CacheReadPerMtok, Source = PriceSources.Admin,
            Note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim()[..Math.Min(500, input.Note.Trim().Length)],
            CreatedAt = clock.GetUtcNow().UtcDateTime, CreatedBy = actor,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Add(price);
        await db.SaveChangesAsync(ct);
        book.Invalidate();
        return price;
    }

    /// <summary>Makes <paramref name="alias"/> price as <paramref name="model"/> (replacing an earlier target).</summary>
    public async Task SetAliasAsync(string alias, string model, CancellationToken ct = default)
    {
        alias = alias.Trim().ToLowerInvariant();
        model = model.Trim().ToLowerInvariant();
        if (alias.Length is 0 or > 200 || model.Length is 0 or > 200 || alias == model)
            throw new PriceValidationException(new Dictionary<string, string[]> { ["alias"] = ["An alias and a different model are required (at most 200 characters)."] });
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var existing = await db.Set<ModelAlias>().SingleOrDefaultAsync(a => a.Alias == alias, ct);
        if (existing is null) db.Add(new ModelAlias { Alias = alias, Model = model, CreatedAt = clock.GetUtcNow().UtcDateTime });
        else existing.Model = model;
        await db.SaveChangesAsync(ct);
        book.Invalidate();
    }

    public async Task RemoveAliasAsync(string alias, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Set<ModelAlias>().Where(a => a.Alias == alias).ExecuteDeleteAsync(ct);
        book.Invalidate();
    }

    /// <summary>Imports LiteLLM prices as versions effective from <paramref name="effectiveFrom"/>; a model whose current price
    /// (on that day) already has the same rates gets no new version, so re-importing one file changes nothing.</summary>
    /// <exception cref="System.Text.Json.JsonException">The file is not in LiteLLM's format.</exception>
    public async Task<PriceImportResult> ImportLiteLlmAsync(Stream json, DateOnly effectiveFrom, string? actor, CancellationToken ct = default)
    {
        var parsed = await LiteLlmPrices.ParseAsync(json, ct);
        var table = await book.CurrentAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        int added = 0, unchanged = 0;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var e in parsed.Entries)
        {
            if (e.SameAs(table.Find(e.Model, effectiveFrom)))
            {
                unchanged++;
                continue;
            }
            db.Add(e.ToVersion(effectiveFrom, PriceSources.LiteLlm, "Imported from LiteLLM model_prices_and_context_window.json", now, actor));
            added++;
        }
        await db.SaveChangesAsync(ct);
        book.Invalidate();
        return new PriceImportResult(added, unchanged, parsed.Skipped);
    }

    private static void Rate(Dictionary<string, string[]> errors, string field, double? value, bool required)
    {
        if (value is null)
        {
            if (required) errors[field] = ["Required (USD per million tokens)."];
        }
        else if (!double.IsFinite(value.Value) || value.Value < 0 || value.Value > 100_000) errors[field] = ["Must be between 0 and 100000 USD per million tokens."];
    }
}
