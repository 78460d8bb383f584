using DevInsights.Core.Sessions;
using DevInsights.Web.Components.Pages.Shared;
using Microsoft.AspNetCore.Components;
using Radzen;
using Radzen.Blazor;

namespace DevInsights.Web.Components.Pages.Sessions;

/// <summary>The paged sessions grid. The URL is the only state: a click on the pager or a column header navigates to a
/// new URL, and loading follows the URL (so back/forward and bookmarks work).</summary>
public sealed partial class SessionsPage
{
    private const int PageSize = SessionListState.PageSize;

    private RadzenDataGrid<SessionSummary>? _grid;
    private SessionPage _page = new([], 0, 1, PageSize);
    private FilterChoices _choices = new([], [], [], []);
    private SessionListState _state = SessionListState.Parse(null, null, null, null, null, null, null);
    private bool _syncPager;

    [Inject] public required SessionService Sessions { get; init; }
    [Inject] public required FilterOptions Options { get; init; }

    [SupplyParameterFromQuery(Name = "developer")] public string? Developer { get; set; }
    [SupplyParameterFromQuery(Name = "project")] public string? Project { get; set; }
    [SupplyParameterFromQuery(Name = "model")] public string? Model { get; set; }
    [SupplyParameterFromQuery(Name = "client")] public string? Client { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? Sort { get; set; }
    [SupplyParameterFromQuery(Name = "dir")] public string? Dir { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public string? PageNumber { get; set; }
    [SupplyParameterFromQuery(Name = "machine")] public string? Machine { get; set; }
    [SupplyParameterFromQuery(Name = "workspace")] public string? Workspace { get; set; }

    private long? ProjectId => _state.ProjectId;

    protected override async Task LoadAsync()
    {
        _state = SessionListState.Parse(Developer, Project, Model, Client, Sort, Dir, PageNumber, Machine, Workspace);
        if (_choices.Projects.Count == 0) _choices = await Options.LoadAsync(User);
        var result = await Sessions.ListAsync(Caller, _state.ToQuery(Range, _state.Page, PageSize));
        _page = result.Value ?? new SessionPage([], 0, 1, PageSize);
        _syncPager = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The grid keeps its own page index; bring it to the URL's page (a bookmark, back/forward, a new filter).
        if (!_syncPager || _grid is null) return;
        _syncPager = false;
        if (_grid.CurrentPage != _state.Page - 1) await _grid.GoToPage(_state.Page - 1);
    }

    private void OnLoadData(LoadDataArgs args)
    {
        var wanted = _state.FromGrid(args.Skip, args.Top, args.Sorts);
        // The grid also asks when it only catches up with the URL: nothing to do then.
        if (wanted == _state) return;
        if (wanted.Sort != _state.Sort || wanted.Dir != _state.Dir) wanted = wanted with { Page = 1 };
        NavigateWith(wanted.SortAndPageQuery());
    }

    private void Filter(string name, object? value) =>
        NavigateWith(new Dictionary<string, object?> { [name] = value is "" ? null : value, ["page"] = null });

    private SortOrder? SortOrderOf(string sort) => _state.SortOrderOf(sort);
}
