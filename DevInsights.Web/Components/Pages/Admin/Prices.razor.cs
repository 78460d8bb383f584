using DevInsights.Core.Pricing;
using DevInsights.Web.Api;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Radzen;

namespace DevInsights.Web.Components.Pages.Admin;

/// <summary>The admin Prices page: every price version, adding or overriding one, aliases, and the LiteLLM import.</summary>
public sealed partial class Prices
{
    [Inject] public required PriceCatalog Catalog { get; init; }
    [Inject] public required TimeProvider Clock { get; init; }

    private static readonly string[] _providers = [PriceProviders.Anthropic, PriceProviders.OpenAI];
    private IReadOnlyList<Price> _prices = [];
    private IReadOnlyList<ModelAlias> _aliases = [];
    private string? _provider = PriceProviders.Anthropic, _model, _note, _alias, _aliasTarget;
    private DateTime? _effective;
    private DateTime _importDay;
    private double? _input, _output, _write5m, _write1h, _read;

    protected override async Task OnInitializedAsync()
    {
        _importDay = Clock.GetUtcNow().UtcDateTime.Date;
        _effective = _importDay;
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        _prices = await Catalog.ListAsync();
        _aliases = await Catalog.AliasesAsync();
    }

    private async Task AddAsync()
    {
        var actor = (await ActorAsync()).Name;
        await Attempt(async () =>
        {
            var added = await Catalog.AddAsync(new PriceInput(_provider, _model,
                _effective is { } d ? DateOnly.FromDateTime(d) : null, _input, _output, _write5m, _write1h, _read, _note), actor);
            Notifications.Notify(NotificationSeverity.Success, "Price added", $"{added.Model} from {added.EffectiveFrom:yyyy-MM-dd} (version {added.Id})", duration: 5000);
        });
    }

    private async Task SaveAliasAsync() => await Attempt(async () =>
    {
        await Catalog.SetAliasAsync(_alias ?? "", _aliasTarget ?? "");
        Notifications.Notify(NotificationSeverity.Success, "Alias saved", $"{_alias} prices as {_aliasTarget}", duration: 4000);
    });

    private async Task RemoveAliasAsync(string alias) => await Attempt(() => Catalog.RemoveAliasAsync(alias));

    private async Task ImportAsync(InputFileChangeEventArgs e)
    {
        var actor = (await ActorAsync()).Name;
        await Attempt(async () =>
        {
            await using var stream = e.File.OpenReadStream(PricesUpload.MaxBytes);
            var result = await Catalog.ImportLiteLlmAsync(stream, DateOnly.FromDateTime(_importDay), actor);
            Notifications.Notify(NotificationSeverity.Success, "Prices imported",
                $"{result.Added} added, {result.Unchanged} unchanged, {result.Skipped} skipped", duration: 6000);
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
