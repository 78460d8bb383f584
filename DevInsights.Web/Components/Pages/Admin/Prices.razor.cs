using DevInsights.Core.Jobs;
using DevInsights.Core.Pricing;
using DevInsights.Web.Api;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Radzen;

namespace DevInsights.Web.Components.Pages.Admin;

/// <summary>The admin Prices page: every price version, adding or overriding one, aliases, the LiteLLM import, the unpriced
/// usage per model, and re-pricing stored events (the <c>reprice</c> job, its progress followed from the runner as on the
/// Jobs page).</summary>
public sealed partial class Prices : IDisposable
{
    [Inject] public required PriceCatalog Catalog { get; init; }
    [Inject] public required TimeProvider Clock { get; init; }
    [Inject] public required JobRunner Runner { get; init; }

    private static readonly string[] _providers = [PriceProviders.Anthropic, PriceProviders.OpenAI];
    private IReadOnlyList<Price> _prices = [];
    private IReadOnlyList<ModelAlias> _aliases = [];
    private IReadOnlyList<UnpricedModel> _unpriced = [];
    private IDisposable? _subscription;
    private RunningJob? _repricing;
    private string? _repriceResult;
    // A price was added or imported here: stored events may now resolve another version.
    private bool _pricesChanged;
    private string? _provider = PriceProviders.Anthropic, _model, _note, _alias, _aliasTarget;
    private DateTime? _effective;
    private DateTime _importDay;
    private double? _input, _output, _write5m, _write1h, _read;

    protected override async Task OnInitializedAsync()
    {
        _importDay = Clock.GetUtcNow().UtcDateTime.Date;
        _effective = _importDay;
        await ReloadAsync();
        _repricing = Runner.Running(RepriceJob.JobName);
        _subscription = Runner.Subscribe(name =>
        {
            if (name == RepriceJob.JobName) _ = InvokeAsync(OnRepriceChangedAsync);
        });
    }

    private async Task ReloadAsync()
    {
        _prices = await Catalog.ListAsync();
        _aliases = await Catalog.AliasesAsync();
        _unpriced = await Catalog.UnpricedModelsAsync();
    }

    /// <summary>Runs the reprice job on the server; the progress bar follows the runner's notifications.</summary>
    private async Task RepriceAsync()
    {
        try
        {
            var result = await Task.Run(() => Runner.RunAsync(RepriceJob.JobName, "page"));
            _repriceResult = result.Succeeded ? result.Summary : $"{result.Status}: {result.Error}";
            if (result.Succeeded)
            {
                _pricesChanged = false;
                Notifications.Notify(NotificationSeverity.Success, "Stored events re-priced", result.Summary ?? "", duration: 6000);
            }
            else Notifications.Notify(NotificationSeverity.Error, $"Re-pricing {result.Status}", result.Error ?? "", duration: 10000);
        }
        catch (Exception ex) when (ex is JobAlreadyRunningException or JobDisabledException or JobNotFoundException)
        {
            Notifications.Notify(NotificationSeverity.Warning, "Not started", ex.Message, duration: 6000);
        }
        _repricing = Runner.Running(RepriceJob.JobName);
        _unpriced = await Catalog.UnpricedModelsAsync();
    }

    /// <summary>A run started here or elsewhere (Jobs page, API, command) moved on: show its progress; at its end, the unpriced counts it changed.</summary>
    private async Task OnRepriceChangedAsync()
    {
        var was = _repricing;
        _repricing = Runner.Running(RepriceJob.JobName);
        if (was is not null && _repricing is null) _unpriced = await Catalog.UnpricedModelsAsync();
        StateHasChanged();
    }

    public void Dispose() => _subscription?.Dispose();

    private async Task AddAsync()
    {
        var actor = (await ActorAsync()).Name;
        await Attempt(async () =>
        {
            var added = await Catalog.AddAsync(new PriceInput(_provider, _model,
                _effective is { } d ? DateOnly.FromDateTime(d) : null, _input, _output, _write5m, _write1h, _read, _note), actor);
            Notifications.Notify(NotificationSeverity.Success, "Price added", $"{added.Model} from {added.EffectiveFrom:yyyy-MM-dd} (version {added.Id})", duration: 5000);
            _pricesChanged = true;
        });
    }

    private async Task SaveAliasAsync() => await Attempt(async () =>
    {
        await Catalog.SetAliasAsync(_alias ?? "", _aliasTarget ?? "");
        _pricesChanged = true;
        Notifications.Notify(NotificationSeverity.Success, "Alias saved", $"{_alias} prices as {_aliasTarget}", duration: 4000);
    });

    private async Task RemoveAliasAsync(string alias) => await Attempt(async () =>
    {
        await Catalog.RemoveAliasAsync(alias);
        _pricesChanged = true;
    });

    private async Task ImportAsync(InputFileChangeEventArgs e)
    {
        var actor = (await ActorAsync()).Name;
        await Attempt(async () =>
        {
            await using var stream = e.File.OpenReadStream(PricesUpload.MaxBytes);
            var result = await Catalog.ImportLiteLlmAsync(stream, DateOnly.FromDateTime(_importDay), actor);
            Notifications.Notify(NotificationSeverity.Success, "Prices imported",
                $"{result.Added} added, {result.Unchanged} unchanged, {result.Skipped} skipped", duration: 6000);
            _pricesChanged |= result.Added > 0;
        });
    }

    /// <summary>Runs a change, reports a refusal as a notification naming the fields, and reloads the lists.</summary>
    private async Task Attempt(Func<Task> change)
    {
        try
        {
            await change();
        }
        catch (PriceValidationException ex)
        {
            Notifications.Notify(NotificationSeverity.Error, "Not saved", string.Join(" ", ex.Errors.Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}")), duration: 8000);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException)
        {
            Notifications.Notify(NotificationSeverity.Error, "Not imported", ex.Message, duration: 8000);
        }
        await ReloadAsync();
    }
}
