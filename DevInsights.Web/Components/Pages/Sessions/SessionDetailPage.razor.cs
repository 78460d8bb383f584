using DevInsights.Core.Live;
using DevInsights.Core.Sessions;
using DevInsights.Web.Components.Pages.Shared;
using Microsoft.AspNetCore.Components;
using Radzen;

namespace DevInsights.Web.Components.Pages.Sessions;

/// <summary>One session, live: while the page is open, every committed batch touching this session is read
/// (only the new rows) and shown, through a throttled <see cref="LiveUpdates"/> subscription; no timers.</summary>
public sealed partial class SessionDetailPage : IDisposable
{
    private SessionView? _view;
    private List<TimelineEvent> _timeline = [];
    private IReadOnlyList<ToolStat> _tools = [];
    private List<DayValue> _costCurve = [];
    private List<DayValue> _tokenBars = [];
    private readonly HashSet<long> _fresh = [];
    private IDisposable? _subscription;
    private long _lastId;
    private int _liveEvents;

    [Parameter] public required string SessionId { get; set; }

    [Inject] public required SessionTimelineQuery Timeline { get; init; }
    [Inject] public required LiveUpdates Live { get; init; }

    protected override async Task LoadAsync()
    {
        _subscription?.Dispose();
        _subscription = null;
        _view = await Timeline.LoadAsync(Caller, SessionId);
        if (_view is null) return;
        _timeline = [.. _view.Events];
        _lastId = _timeline.Count == 0 ? 0 : _timeline.Max(e => e.Id);
        _liveEvents = 0;
        Derive();
        var sessionId = _view.DatabaseId;
        _subscription = Live.Subscribe(change => change.SessionIds.Contains(sessionId), _ => InvokeAsync(ShowNewEventsAsync));
    }

    /// <summary>Reads the rows stored since the last look and the session's updated counters.</summary>
    private async Task ShowNewEventsAsync()
    {
        if (_view is null) return;
        var added = await Timeline.NewerThanAsync(_view.DatabaseId, _lastId);
        if (added.Count == 0) return;
        var detail = await Timeline.LoadAsync(Caller, SessionId);
        if (detail is not null) _view = _view with { Detail = detail.Detail };
        _fresh.Clear();
        foreach (var e in added) _fresh.Add(e.Id);
        _timeline.AddRange(added);
        _lastId = Math.Max(_lastId, added.Max(e => e.Id));
        _liveEvents += added.Count;
        Derive();
        StateHasChanged();
    }

    private void Derive()
    {
        // Latest first, so what just arrived is at the top of the first page.
        _timeline = [.. _timeline.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id)];
        _tools = _view!.Detail.Tools.Select(t => new ToolStat(t.Name, t.Calls, t.Successes, t.Errors)).ToList();
        var chronological = _timeline.OrderBy(e => e.Timestamp).ThenBy(e => e.Id).ToList();
        double cost = 0;
        _costCurve = chronological.Where(e => e.CostUsd is > 0)
            .Select(e => new DayValue(e.Timestamp.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), Math.Round(cost += e.CostUsd!.Value, 6)))
            .ToList();
        _tokenBars = chronological.Where(e => e.Tokens.Total > 0)
            .Select(e => new DayValue(e.Timestamp.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), e.Tokens.Total))
            .ToList();
    }

    private static double? CacheHit(TokenCounts t)
    {
        var prompt = t.Input + t.CacheRead + t.CacheCreation;
        return prompt == 0 ? null : (double)t.CacheRead / prompt;
    }

    private void MarkNew(RowRenderEventArgs<TimelineEvent> args)
    {
        if (args.Data is { } e && _fresh.Contains(e.Id)) args.Attributes.Add("class", "di-live-row-new");
    }

    public void Dispose() => _subscription?.Dispose();
}
