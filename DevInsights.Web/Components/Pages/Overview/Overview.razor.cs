using DevInsights.Web.Components.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace DevInsights.Web.Components.Pages.Overview;

public sealed partial class Overview
{
    private OverviewModel? _model;
    private IReadOnlyList<DaySeries> _series = [];

    [Inject] public required OverviewQuery Query { get; init; }

    /// <summary>What the usage charts stack by: model (default) or client.</summary>
    [SupplyParameterFromQuery(Name = "stack")] public string? Stack { get; set; }

    private string StackKey => Stack == "client" ? "client" : "model";

    protected override async Task LoadAsync()
    {
        _model = await Query.LoadAsync(User, Range);
        _series = _model.Usage.SeriesBy(StackKey == "client" ? UsageDimension.Client : UsageDimension.Model);
    }
}
