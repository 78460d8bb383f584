using System.Globalization;
using DevInsights.Core.Data;

namespace DevInsights.Web.Components.Pages.Shared;

/// <summary>The dashboard's time filter, as the URL carries it (<c>?range=7d</c> or <c>?range=custom&amp;from=…&amp;to=…</c>),
/// resolved to whole UTC days, the unit of the <c>daily_usage</c> rollup.</summary>
/// <param name="Key">today, 7d, 30d, 90d or custom.</param>
/// <param name="From">First day, inclusive.</param>
/// <param name="To">Last day, inclusive.</param>
public sealed record TimeRange(string Key, DateOnly From, DateOnly To)
{
    public const string Today = "today";
    public const string Custom = "custom";
    public const string DefaultKey = "7d";
    /// <summary>The longest custom range: beyond a year a per-day chart stops being readable.</summary>
    public const int MaxDays = 366;

    public static readonly IReadOnlyList<(string Key, string Label)> Presets =
        [(Today, "Today"), ("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"), (Custom, "Custom")];

    /// <summary>Reads the URL's values; anything missing or malformed falls back to the default range, never an error page.</summary>
    public static TimeRange Parse(string? range, string? from, string? to, DateOnly today)
    {
        var key = (range ?? DefaultKey).Trim().ToLowerInvariant();
        switch (key)
        {
            case Today: return new TimeRange(Today, today, today);
            case "7d" or "30d" or "90d":
                var days = int.Parse(key[..^1], CultureInfo.InvariantCulture);
                return new TimeRange(key, today.AddDays(1 - days), today);
            case Custom when IsoDay.TryParse(from, out var f) && IsoDay.TryParse(to, out var t):
                if (t < f) (f, t) = (t, f);
                if (t.DayNumber - f.DayNumber >= MaxDays) f = t.AddDays(1 - MaxDays);
                return new TimeRange(Custom, f, t);
            default:
                return Parse(DefaultKey, null, null, today);
        }
    }

    public static TimeRange Parse(string? range, string? from, string? to, TimeProvider clock) =>
        Parse(range, from, to, DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));

    /// <summary>Start of the first day (UTC, inclusive).</summary>
    public DateTime Start => From.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>Start of the day after the last (UTC, exclusive).</summary>
    public DateTime End => To.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    public int DayCount => To.DayNumber - From.DayNumber + 1;

    public IEnumerable<DateOnly> Days => Enumerable.Range(0, DayCount).Select(From.AddDays);

    public string Label => Key == Custom
        ? $"{Format(From)} – {Format(To)}"
        : Presets.First(p => p.Key == Key).Label;

    /// <summary>The query-string values of this range (null removes a key), for <c>GetUriWithQueryParameters</c>.</summary>
    public IReadOnlyDictionary<string, object?> ToQuery() => new Dictionary<string, object?>
    {
        ["range"] = Key,
        ["from"] = Key == Custom ? Format(From) : null,
        ["to"] = Key == Custom ? Format(To) : null,
    };

    /// <summary>The same range as a query string ("range=7d"), for links and CSV exports.</summary>
    public string QueryString => Key == Custom ? $"range=custom&from={Format(From)}&to={Format(To)}" : $"range={Key}";

    public static string Format(DateOnly day) => IsoDay.Format(day);
}
