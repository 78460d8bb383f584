using DevInsights.Core.Jobs;
using DevInsights.Web.Jobs;
using Microsoft.AspNetCore.Components;
using Radzen;

namespace DevInsights.Web.Components.Pages.Admin;

/// <summary>The Jobs page: every job's state, refreshed from the runner's notifications (start, progress, end) over the
/// circuit — nothing polls.</summary>
public sealed partial class Jobs : ComponentBase, IDisposable
{
    [Inject] public required JobsOverview Overview { get; init; }
    [Inject] public required JobRunner Runner { get; init; }
    [Inject] public required NotificationService Notifications { get; init; }

    private IReadOnlyList<JobState> _jobs = [];
    private IDisposable? _subscription;
    private bool _refreshing, _stale;

    protected override async Task OnInitializedAsync()
    {
        _jobs = await Overview.ListAsync();
        _subscription = Runner.Subscribe(name => _ = InvokeAsync(() => OnChangedAsync(name)));
    }

    /// <summary>Runs the job on the server; the grid follows through notifications, this only reports the outcome.</summary>
    private async Task RunAsync(string name)
    {
        try
        {
            var result = await Task.Run(() => Runner.RunAsync(name, "page"));
            if (result.Succeeded) Notifications.Notify(NotificationSeverity.Success, $"{name} finished", result.Summary ?? "", duration: 6000);
            else Notifications.Notify(NotificationSeverity.Error, $"{name} {result.Status}", result.Error ?? "", duration: 10000);
        }
        catch (Exception ex) when (ex is JobAlreadyRunningException or JobDisabledException or JobNotFoundException)
        {
            Notifications.Notify(NotificationSeverity.Warning, "Not started", ex.Message, duration: 6000);
        }
        await RefreshAsync();
    }

    /// <summary>Progress of a running job is applied from memory; a start or an end reloads the jobs (last run, next run).</summary>
    private Task OnChangedAsync(string name)
    {
        var running = Runner.Running(name);
        var index = _jobs.ToList().FindIndex(j => j.Name == name);
        if (running is null || index < 0 || !_jobs[index].Running) return RefreshAsync();
        _jobs = [.. _jobs.Select((j, i) => i == index ? j with { Progress = running.Progress } : j)];
        StateHasChanged();
        return Task.CompletedTask;
    }

    /// <summary>One reload at a time (callbacks run on the circuit's dispatcher); changes meanwhile cause one more.</summary>
    private async Task RefreshAsync()
    {
        _stale = true;
        if (_refreshing) return;
        _refreshing = true;
        try
        {
            while (_stale)
            {
                _stale = false;
                _jobs = await Overview.ListAsync();
                StateHasChanged();
            }
        }
        finally
        {
            _refreshing = false;
        }
    }

    private static string When(DateTime? utc) =>
        utc is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC" : "—";

    public void Dispose() => _subscription?.Dispose();
}
