using Microsoft.AspNetCore.Components;

namespace DevInsights.Web.Components.Pages.Places;

public sealed partial class MachinePage
{
    private MachineModel? _model;

    [Parameter] public required string ClientMachineId { get; set; }

    [Inject] public required PlaceQuery Query { get; init; }

    protected override async Task LoadAsync() => _model = await Query.MachineAsync(User, ClientMachineId, Range);
}
