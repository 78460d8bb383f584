using System.Globalization;

namespace DevInsights.Web.Components.Pages.Shared;

/// <summary>How figures read on every page: one culture (invariant), one style per kind of number.</summary>
public static class Format
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static string Cost(double usd) => usd switch
    {
        0 => "$0.00",
        < 0.01 => "$" + usd.ToString("0.0000", Culture),
        _ => "$" + usd.ToString("#,0.00", Culture),
    };

    public static string Cost(double? usd) => usd is { } v ? Cost(v) : "–";

    /// <summary>Axis ticks: a third decimal only where the tick needs it ($0.035 between $0.03 and $0.04), so neighbouring
    /// ticks never print the same and round ones stay short.</summary>
    public static string AxisCost(double usd) => Math.Abs(usd) < 1 ? "$" + usd.ToString("0.00#", Culture) : Cost(usd);

    /// <summary>Compact counts for cards and axes: 950, 12.3k, 4.56M.</summary>
    public static string Compact(double value) => Math.Abs(value) switch
    {
        >= 1_000_000_000 => (value / 1_000_000_000).ToString("0.##", Culture) + "B",
        >= 1_000_000 => (value / 1_000_000).ToString("0.##", Culture) + "M",
        >= 10_000 => (value / 1_000).ToString("0.#", Culture) + "k",
        _ => value.ToString("#,0", Culture),
    };

    /// <summary>A price in USD per million tokens, as short as it is exact: 15, 3.75, 0.075 (no trailing zeros, no currency sign:
    /// the table says the unit once).</summary>
    public static string Rate(double? perMtok) => perMtok is { } v ? v.ToString("#,0.#####", Culture) : "–";

    /// <summary>Exact counts for tables: 12,345.</summary>
    public static string Count(long value) => value.ToString("#,0", Culture);

    public static string Percent(double ratio) => ratio.ToString("0.0%", Culture);

    public static string Percent(double? ratio) => ratio is { } r ? Percent(r) : "–";

    public static string Duration(double milliseconds)
    {
        var t = TimeSpan.FromMilliseconds(milliseconds);
        return t.TotalSeconds switch
        {
            0 => "0 s",
            < 1 => $"{milliseconds.ToString("0", Culture)} ms",
            < 60 => $"{t.TotalSeconds.ToString("0.#", Culture)} s",
            < 3600 => $"{(int)t.TotalMinutes}m {t.Seconds}s",
            _ => $"{(int)t.TotalHours}h {t.Minutes}m",
        };
    }

    public static string Duration(long milliseconds) => Duration((double)milliseconds);

    public static string Duration(long? milliseconds) => milliseconds is { } ms ? Duration((double)ms) : "–";

    /// <summary>UTC, to the second: the server's timeline and the rollup's days are UTC.</summary>
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", Culture);

    public static string Time(DateTime? utc) => utc is { } t ? Time(t) : "–";

    public static string Day(DateOnly day) => day.ToString("MMM d", Culture);
}
