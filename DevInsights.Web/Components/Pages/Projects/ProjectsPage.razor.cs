using Microsoft.AspNetCore.Components;

namespace DevInsights.Web.Components.Pages.Projects;

public sealed partial class ProjectsPage
{
    private IReadOnlyList<ProjectRow> _rows = [];

    [Inject] public required ProjectsQuery Query { get; init; }

    [SupplyParameterFromQuery(Name = "q")] public string? Search { get; set; }

    protected override async Task LoadAsync() => _rows = await Query.LoadAsync(Range, Search);
}
