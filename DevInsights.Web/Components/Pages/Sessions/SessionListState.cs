using System.Globalization;
using DevInsights.Core.Sessions;
using DevInsights.Web.Components.Pages.Shared;
using Radzen;

namespace DevInsights.Web.Components.Pages.Sessions;

/// <summary>The sessions list as its URL describes it: filters, sort and page. The page, the grid and the CSV export
/// read it from the same query-string names, so a bookmarked or exported view is the one on screen.</summary>
public sealed record SessionListState(
    string? Developer, long? ProjectId, string? Model, string? Client, string Sort, string Dir, int Page, string? Machine = null, string? Workspace = null)
{
    public const int PageSize = 25;

    /// <summary>The grid columns that sort, by the property the grid reports, and the service's sort names.</summary>
    private static readonly Dictionary<string, string> SortByProperty = new(StringComparer.Ordinal)
    {
        [nameof(SessionSummary.StartedAt)] = "time",
        ["Tokens.Total"] = "tokens",
        [nameof(SessionSummary.CostUsd)] = "cost",
    };

    /// <summary>Reads the query-string values; unknown or malformed ones are ignored rather than failing the page.</summary>
    public static SessionListState Parse(string? developer, string? project, string? model, string? client, string? sort, string? dir, string? page,
        string? machine = null, string? workspace = null)
    {
        var sortKey = sort is not null && SessionQuery.Sorts.Contains(sort) ? sort : "time";
        var dirKey = dir == "asc" ? "asc" : "desc";
        return new SessionListState(
            QueryValues.Blank(developer),
            long.TryParse(project, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null,
            QueryValues.Blank(model),
            QueryValues.Blank(client) is { } c && ClientKind.All.Contains(c) ? c : null,
            sortKey, dirKey,
            int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1,
            QueryValues.Blank(machine), QueryValues.Blank(workspace));
    }

    public SessionQuery ToQuery(TimeRange range, int page, int pageSize) => new(
        Developer: Developer, Model: Model, Client: Client, ProjectId: ProjectId,
        From: range.Start, To: range.End.AddTicks(-1), Sort: Sort, Dir: Dir, Page: page, PageSize: pageSize, Machine: Machine, Workspace: Workspace);

    /// <summary>The state the grid asks for after a click on a column header or the pager.</summary>
    public SessionListState FromGrid(int? skip, int? top, IEnumerable<SortDescriptor>? sorts)
    {
        var page = (skip ?? 0) / Math.Max(1, top ?? PageSize) + 1;
        var sorted = sorts?.FirstOrDefault(s => s.SortOrder is not null && s.Property is not null && SortByProperty.ContainsKey(s.Property));
        return sorted is null
            ? this with { Sort = "time", Dir = "desc", Page = page }
            : this with { Sort = SortByProperty[sorted.Property!], Dir = sorted.SortOrder == SortOrder.Ascending ? "asc" : "desc", Page = page };
    }

    public SortOrder? SortOrderOf(string sort) =>
        Sort == sort ? (Dir == "asc" ? SortOrder.Ascending : SortOrder.Descending) : null;

    /// <summary>The query-string values of sort and page (defaults leave the URL clean).</summary>
    public IReadOnlyDictionary<string, object?> SortAndPageQuery() => new Dictionary<string, object?>
    {
        ["sort"] = Sort == "time" ? null : Sort,
        ["dir"] = Dir == "desc" ? null : Dir,
        ["page"] = Page == 1 ? null : Page,
    };
}
