using DevInsights.Core.Identity;
using DevInsights.Web.Components.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace DevInsights.Web.Components.Pages.Me;

public sealed partial class MePage
{
    private MeModel? _model;
    private IReadOnlyList<DaySeries> _series = [];
    private readonly SettingsForm _form = new();
    private string? _saved;

    [Inject] public required MeQuery Query { get; init; }

    protected override async Task LoadAsync()
    {
        _model = await Query.LoadAsync(User, Range);
        _series = _model.Usage.SeriesBy(UsageDimension.Model);
        _form.ShareLevel = _model.Settings.ShareLevel;
        _form.LeaderboardOptIn = _model.Settings.LeaderboardOptIn;
    }

    private async Task SaveAsync()
    {
        var changed = await Query.SaveAsync(User, new MySettings(_form.ShareLevel, _form.LeaderboardOptIn));
        _saved = changed ? "Saved." : "Nothing to save.";
    }

    /// <summary>The form's editable copy of <see cref="MySettings"/>.</summary>
    private sealed class SettingsForm
    {
        public ShareLevel ShareLevel { get; set; }
        public bool LeaderboardOptIn { get; set; }
    }
}
