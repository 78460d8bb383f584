using DevInsights.Core.Sessions;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace DevInsights.Web.Components.Pages.Shared;

/// <summary>What every dashboard page shares: the signed-in user, the time range from the URL, and navigation that
/// changes only the query string (so each view is bookmarkable).</summary>
/// <remarks>Loads once per distinct URL: Blazor sets parameters again on unrelated re-renders of the layout, and
/// those must not re-query the database.</remarks>
public abstract class DashboardPage : ComponentBase
{
    private string? _loadedFor;

    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required TimeProvider Clock { get; init; }

    [CascadingParameter] public Task<AuthenticationState>? AuthenticationState { get; set; }

    [SupplyParameterFromQuery(Name = "range")] public string? RangeKey { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? RangeFrom { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? RangeTo { get; set; }

    protected TimeRange Range { get; private set; } = default!;
    protected CurrentUser User { get; private set; } = default!;
    protected SessionCaller Caller => SessionCaller.For(User.Id, User.Roles);
    protected bool Loading { get; private set; } = true;

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedFor == Navigation.Uri) return;
        _loadedFor = Navigation.Uri;
        if (AuthenticationState is null) throw new InvalidOperationException("Dashboard pages need the cascading authentication state.");
        User = CurrentUser.From((await AuthenticationState).User) ?? throw new InvalidOperationException("Dashboard pages require a signed-in user.");
        Range = TimeRange.Parse(RangeKey, RangeFrom, RangeTo, Clock);
        Loading = true;
        await LoadAsync();
        Loading = false;
    }

    /// <summary>Reads what the page shows for the current URL.</summary>
    protected abstract Task LoadAsync();

    /// <summary>Reloads for the same URL (after a save, or a live notification).</summary>
    protected async Task ReloadAsync()
    {
        await LoadAsync();
        StateHasChanged();
    }

    /// <summary>Changes query-string values (null removes one), keeping the rest: filters live in the URL.</summary>
    protected void NavigateWith(IReadOnlyDictionary<string, object?> changes) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(changes));

    protected void NavigateWith(string name, object? value) => NavigateWith(new Dictionary<string, object?> { [name] = value });

    /// <summary>The CSV export of <paramref name="view"/> with this page's query string.</summary>
    protected string ExportUrl(string view)
    {
        var query = new Uri(Navigation.Uri).Query;
        return $"export/{view}.csv{query}";
    }
}
