using Microsoft.AspNetCore.Components;

namespace DevInsights.Web.Components.Pages.Places;

public sealed partial class WorkspacePage
{
    private WorkspaceModel? _model;

    [Parameter] public required string ClientWorkspaceId { get; set; }

    [Inject] public required PlaceQuery Query { get; init; }

    protected override async Task LoadAsync() => _model = await Query.WorkspaceAsync(User, ClientWorkspaceId, Range);
}
