using System.Globalization;

namespace DevInsights.Core.Data;

/// <summary>A UTC day written <c>yyyy-MM-dd</c>, as every URL, API parameter and command-line option of the app takes it.</summary>
public static class IsoDay
{
    public const string Pattern = "yyyy-MM-dd";

    /// <summary>Reads exactly <c>yyyy-MM-dd</c> (no time, no other order), so a day means the same to every caller.</summary>
    public static bool TryParse(string? value, out DateOnly day) =>
        DateOnly.TryParseExact(value, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    public static string Format(DateOnly day) => day.ToString(Pattern, CultureInfo.InvariantCulture);
}
