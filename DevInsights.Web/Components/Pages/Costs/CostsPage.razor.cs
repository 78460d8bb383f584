using DevInsights.Core.Costs;
using Microsoft.AspNetCore.Components;
using Radzen;

namespace DevInsights.Web.Components.Pages.Costs;

/// <summary>The Costs page: the reconciliation of <see cref="CostsQuery"/> as figures, a chart per day and a table with gaps
/// highlighted; the range and grouping live in the URL.</summary>
public sealed partial class CostsPage : ComponentBase
{
    [Inject] public required CostsQuery Costs { get; init; }
    [Inject] public required TimeProvider Clock { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }

    [SupplyParameterFromQuery(Name = "from")] public string? FromQuery { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? ToQuery { get; set; }
    [SupplyParameterFromQuery(Name = "groupBy")] public string? GroupByQuery { get; set; }

    private DateTime _from, _to;
    private string _groupBy = CostGrouping.Day;
    private CostReport? _report;
    private string? _error;

    /// <summary>One point of a per-day chart series (a day without a figure is left out, not drawn as 0).</summary>
    public sealed record DayPoint(string Day, double Value);

    private string Heading => _groupBy switch
    {
        CostGrouping.Project => "Project",
        CostGrouping.Developer => "Developer",
        CostGrouping.Model => "Model",
        _ => "Day",
    };

    protected override async Task OnInitializedAsync()
    {
        var today = Clock.GetUtcNow().UtcDateTime.Date;
        _to = DateTime.TryParse(ToQuery, System.Globalization.CultureInfo.InvariantCulture, out var to) ? to.Date : today;
        _from = DateTime.TryParse(FromQuery, System.Globalization.CultureInfo.InvariantCulture, out var from) ? from.Date : _to.AddDays(-29);
        if (GroupByQuery is { } g && CostGrouping.All.Contains(g)) _groupBy = g;
        await ReadAsync();
    }

    private async Task LoadAsync()
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["from"] = _from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["to"] = _to.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["groupBy"] = _groupBy,
        }), replace: true);
        await ReadAsync();
    }

    private async Task ReadAsync()
    {
        if (_from > _to || (_to - _from).TotalDays >= Api.CostsApi.MaxDays)
        {
            _error = $"Choose a range of 1 to {Api.CostsApi.MaxDays} days that starts before it ends.";
            return;
        }
        _error = null;
        _report = await Costs.ReadAsync(DateOnly.FromDateTime(_from), DateOnly.FromDateTime(_to), _groupBy);
    }

    private IReadOnlyList<DayPoint> Points(Func<CostRow, double?> figure) =>
        _report is null ? [] : [.. _report.Days.Where(d => figure(d) is not null).Select(d => new DayPoint(d.Key, figure(d)!.Value))];

    private static void RowRender(RowRenderEventArgs<CostRow> args)
    {
        if (args.Data?.Gap is not null and not CostGaps.Unpriced) args.Attributes.Add("class", "di-cost-gap-row");
    }
}
