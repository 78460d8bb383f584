namespace DevInsights.Core.Pricing;

/// <summary>An immutable snapshot of the price versions and aliases: what ingestion prices a batch with.</summary>
public sealed class PriceTable
{
    public static readonly PriceTable Empty = new([], new Dictionary<string, string>());

    // Per canonical model (lower case): versions by effective date ascending, the newest id last within a day.
    private readonly Dictionary<string, Price[]> _byModel;
    private readonly IReadOnlyDictionary<string, string> _aliases;
    // Which versions a model id leads to does not depend on the day, and the table never changes: ingestion asks for
    // the same few ids on every event, so the name rules run once per id and snapshot (null: unpriced).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Price[]?> _resolved = new(StringComparer.Ordinal);

    public PriceTable(IEnumerable<Price> prices, IReadOnlyDictionary<string, string> aliases)
    {
        _byModel = prices.GroupBy(p => p.Model.ToLowerInvariant())
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.EffectiveFrom).ThenBy(p => p.Id).ToArray(), StringComparer.Ordinal);
        _aliases = aliases.ToDictionary(a => a.Key.ToLowerInvariant(), a => a.Value.ToLowerInvariant(), StringComparer.Ordinal);
    }

    public int Versions => _byModel.Values.Sum(v => v.Length);

    /// <summary>The price of <paramref name="model"/> on <paramref name="day"/>: the version with the latest effective
    /// date not after the day (the newest of that date), found under the model id, an alias, or the automatic rules of
    /// <see cref="ModelNames"/>; null when unpriced.</summary>
    public Price? Find(string? model, DateOnly day)
    {
        if (string.IsNullOrWhiteSpace(model)) return null;
        return _resolved.GetOrAdd(model, Resolve) is { } versions ? At(versions, day) : null;
    }

    private Price[]? Resolve(string model)
    {
        foreach (var candidate in ModelNames.Candidates(model))
        {
            if (VersionsOf(candidate) is { } direct) return direct;
            if (_aliases.TryGetValue(candidate, out var target) && VersionsOf(target) is { } aliased) return aliased;
        }
        return null;
    }

    private Price[]? VersionsOf(string model) => _byModel.TryGetValue(model, out var versions) ? versions : null;

    private static Price? At(Price[] versions, DateOnly day)
    {
        for (var i = versions.Length - 1; i >= 0; i--)
            if (versions[i].EffectiveFrom <= day) return versions[i];
        return null;
    }
}
