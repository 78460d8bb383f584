using System.Globalization;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Live;
using DevInsights.Web.Components.Pages.Shared;
using Microsoft.AspNetCore.Components;
using Radzen;

namespace DevInsights.Web.Components.Pages.Live;

/// <summary>Every incoming event as it is committed, newest first, at most <see cref="LiveFeedQuery.Capacity"/> kept.
/// Pausing stops reading (and counts what waits); resuming catches up. Driven by <see cref="LiveUpdates"/> only.</summary>
public sealed partial class LivePage : IDisposable
{
    /// <summary>Lines shown when the page opens, before anything new arrives.</summary>
    public const int Backlog = 100;

    private List<LiveEvent> _feed = [];
    private readonly HashSet<long> _fresh = [];
    private FilterChoices _choices = new([], [], [], []);
    private IReadOnlyList<Option<string>> _machines = [];
    private IReadOnlyList<Option<string>> _workspaces = [];
    private LiveFilter _filter = new();
    private IDisposable? _subscription;
    private long _lastId;
    private bool _paused;
    private int _missed;

    [Inject] public required LiveFeedQuery Feed { get; init; }
    [Inject] public required FilterOptions Options { get; init; }
    [Inject] public required LiveUpdates Live { get; init; }

    [SupplyParameterFromQuery(Name = "project")] public string? Project { get; set; }
    [SupplyParameterFromQuery(Name = "machine")] public string? Machine { get; set; }
    [SupplyParameterFromQuery(Name = "workspace")] public string? Workspace { get; set; }
    [SupplyParameterFromQuery(Name = "developer")] public string? Developer { get; set; }
    [SupplyParameterFromQuery(Name = "type")] public string? Type { get; set; }

    protected override async Task LoadAsync()
    {
        _filter = new LiveFilter(
            long.TryParse(Project, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null,
            QueryValues.Blank(Machine), QueryValues.Blank(Workspace), QueryValues.Blank(Developer), QueryValues.Blank(Type));
        if (_choices.Projects.Count == 0)
        {
            _choices = await Options.LoadAsync(User);
            (_machines, _workspaces) = await Feed.PlacesAsync();
        }
        _feed = [.. await Feed.NewestAsync(Caller, _filter, 0, Backlog)];
        _lastId = _feed.Count == 0 ? 0 : _feed[0].Id;
        _fresh.Clear();
        _subscription ??= Live.Subscribe(Matches, changes => InvokeAsync(() => OnChangesAsync(changes)));
    }

    private bool Matches(IngestionCommitted change) => _filter.ProjectId is not { } project || change.ProjectIds.Contains(project);

    private async Task OnChangesAsync(IReadOnlyList<IngestionCommitted> changes)
    {
        if (_paused)
        {
            _missed += changes.Sum(c => c.EventCount);
            StateHasChanged();
            return;
        }
        await CatchUpAsync();
    }

    private async Task CatchUpAsync()
    {
        var added = await Feed.NewestAsync(Caller, _filter, _lastId, LiveFeedQuery.Capacity);
        if (added.Count == 0) return;
        _fresh.Clear();
        foreach (var e in added) _fresh.Add(e.Id);
        _lastId = added[0].Id;
        _feed = [.. added, .. _feed.Take(LiveFeedQuery.Capacity - added.Count)];
        StateHasChanged();
    }

    private async Task TogglePauseAsync()
    {
        _paused = !_paused;
        if (_paused) return;
        _missed = 0;
        await CatchUpAsync();
    }

    private void Filter(string name, object? value) => NavigateWith(name, value is "" ? null : value);

    private void MarkNew(RowRenderEventArgs<LiveEvent> args)
    {
        if (args.Data is { } e && _fresh.Contains(e.Id)) args.Attributes.Add("class", "di-live-row-new");
    }

    public void Dispose() => _subscription?.Dispose();
}
