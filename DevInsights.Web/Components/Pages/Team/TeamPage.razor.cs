using Microsoft.AspNetCore.Components;

namespace DevInsights.Web.Components.Pages.Team;

public sealed partial class TeamPage
{
    private TeamModel? _model;

    [Inject] public required TeamQuery Query { get; init; }

    protected override async Task LoadAsync() => _model = await Query.LoadAsync(Range);
}
