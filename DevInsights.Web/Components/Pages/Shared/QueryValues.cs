namespace DevInsights.Web.Components.Pages.Shared;

/// <summary>How query-string values are read everywhere: blank means absent.</summary>
public static class QueryValues
{
    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
