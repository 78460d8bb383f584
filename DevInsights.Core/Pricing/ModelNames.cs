using System.Text.RegularExpressions;

namespace DevInsights.Core.Pricing;

/// <summary>The automatic alias rules: a model id prices as its family when no explicit price or alias names it.</summary>
public static partial class ModelNames
{
    /// <summary>The candidates to look up for <paramref name="model"/>, most specific first: the id itself (lower case,
    /// provider prefix and context suffix such as <c>[1m]</c> removed), then without a date suffix
    /// (<c>-20250929</c>, <c>-2024-08-06</c>), then without <c>-latest</c>.</summary>
    public static IEnumerable<string> Candidates(string model)
    {
        var id = model.Trim().ToLowerInvariant();
        var slash = id.LastIndexOf('/');
        if (slash >= 0) id = id[(slash + 1)..];
        var bracket = id.IndexOf('[');
        if (bracket > 0) id = id[..bracket];
        yield return id;
        var undated = DateSuffix().Replace(id, "");
        if (undated != id) yield return undated;
        if (undated.EndsWith("-latest", StringComparison.Ordinal)) yield return undated[..^"-latest".Length];
    }

    [GeneratedRegex(@"-(\d{8}|\d{4}-\d{2}-\d{2})$")]
    private static partial Regex DateSuffix();
}
