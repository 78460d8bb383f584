using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Pricing;

/// <summary>The current <see cref="PriceTable"/> for the ingestion writer and the cost views: loaded from the database
/// (after inserting the shipped defaults it lacks), reloaded at once after a change made in this process and at least
/// every <see cref="MaxAge"/> so changes made by another instance arrive too.</summary>
public sealed class PriceBook(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile Snapshot? _current;

    private sealed record Snapshot(PriceTable Table, DateTimeOffset LoadedAt);

    /// <summary>The table, loading it when it is missing or older than <see cref="MaxAge"/>.</summary>
    public async ValueTask<PriceTable> CurrentAsync(CancellationToken ct = default)
    {
        var current = _current;
        if (current is not null && clock.GetUtcNow() - current.LoadedAt < MaxAge) return current.Table;
        await _loading.WaitAsync(ct);
        try
        {
            current = _current;
            if (current is not null && clock.GetUtcNow() - current.LoadedAt < MaxAge) return current.Table;
            var table = await LoadAsync(ct);
            _current = new Snapshot(table, clock.GetUtcNow());
            return table;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Forgets the snapshot: the next use loads the database's prices.</summary>
    public void Invalidate() => _current = null;

    private bool _defaultsEnsured;

    private async Task<PriceTable> LoadAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Once per process: reloads (every minute, and after each price change) need not look for the shipped rows again.
        if (!_defaultsEnsured)
        {
            await EnsureDefaultsAsync(db, clock.GetUtcNow().UtcDateTime, ct);
            _defaultsEnsured = true;
        }
        var prices = await db.Set<Price>().AsNoTracking().ToListAsync(ct);
        var aliases = new Dictionary<string, string>(DefaultPrices.Aliases, StringComparer.OrdinalIgnoreCase);
        foreach (var alias in await db.Set<ModelAlias>().AsNoTracking().ToListAsync(ct)) aliases[alias.Alias] = alias.Model;
        return new PriceTable(prices, aliases);
    }

    /// <summary>Inserts each shipped default the table lacks; a unique index keeps concurrent instances from adding one twice.</summary>
    internal static async Task EnsureDefaultsAsync(DevInsightsDbContext db, DateTime now, CancellationToken ct)
    {
        var present = await db.Set<Price>().AsNoTracking().Where(p => p.Source == PriceSources.Default && p.EffectiveFrom == DefaultPrices.EffectiveFrom)
            .Select(p => p.Model).ToListAsync(ct);
        var missing = DefaultPrices.All.Where(d => !present.Contains(d.Model)).ToList();
        if (missing.Count == 0) return;
        foreach (var d in missing) db.Add(d.ToVersion(DefaultPrices.EffectiveFrom, PriceSources.Default, "Shipped with DevInsights", now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another instance inserted them first: theirs are the same figures.
            db.ChangeTracker.Clear();
        }
    }
}
