using DevInsights.Core.Hierarchy;
using DevInsights.Web.Components.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace DevInsights.Web.Components.Pages.Projects;

/// <summary>A project: figures and charts for the range, its tree, and its events with filters in the URL and
/// keyset "load more" pages.</summary>
public sealed partial class ProjectDetailPage
{
    private ProjectModel? _model;
    private IReadOnlyList<DaySeries> _series = [];
    private List<EventItem> _events = [];
    private string? _nextCursor;
    private ProjectEventFilter _filter = new(null, null, null);
    private IReadOnlyList<Option<string>> _machines = [];
    private IReadOnlyList<Option<string>> _workspaces = [];

    [Parameter] public long ProjectId { get; set; }

    [Inject] public required ProjectDetailQuery Query { get; init; }

    [SupplyParameterFromQuery(Name = "machine")] public string? Machine { get; set; }
    [SupplyParameterFromQuery(Name = "workspace")] public string? Workspace { get; set; }
    [SupplyParameterFromQuery(Name = "type")] public string? Type { get; set; }

    protected override async Task LoadAsync()
    {
        _model = await Query.LoadAsync(ProjectId, Range);
        if (_model is null) return;
        _series = _model.Usage.SeriesBy(UsageDimension.Model);
        _machines = _model.Tree.Machines.Select(m => new Option<string>(m.ClientMachineId, m.Hostname ?? m.ClientMachineId)).ToList();
        _workspaces = _model.Tree.Machines.SelectMany(m => m.Workspaces)
            .Select(w => new Option<string>(w.ClientWorkspaceId, w.Path ?? w.ClientWorkspaceId)).ToList();
        _filter = new ProjectEventFilter(QueryValues.Blank(Machine), QueryValues.Blank(Workspace), QueryValues.Blank(Type));
        var page = await Query.EventsAsync(User, ProjectId, Range, _filter, null);
        _events = [.. page.Items];
        _nextCursor = page.NextCursor;
    }

    private async Task LoadMoreAsync()
    {
        var page = await Query.EventsAsync(User, ProjectId, Range, _filter, _nextCursor);
        _events.AddRange(page.Items);
        _nextCursor = page.NextCursor;
    }

    private void Filter(string name, object? value) => NavigateWith(name, value is "" ? null : value);

    private static string Figures(NodeTotals totals) =>
        $"{Format.Count(totals.SessionCount)} sessions · {Format.Compact(totals.EventCount)} events · {Format.Cost(totals.CostUsd)}";

    private static string Tokens(EventItem e)
    {
        var total = e.InputTokens + e.OutputTokens + e.CacheReadTokens + e.CacheCreationTokens;
        return total == 0 ? "" : Format.Compact(total);
    }
}
