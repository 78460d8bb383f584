using System.Globalization;
using DevInsights.Core.Data;
using DevInsights.Core.Export;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Components.Pages.Admin;

/// <summary>The admin Export page: writes daily files of the chosen datasets and range on the server, with progress
/// pushed over the circuit as each day's file is finished.</summary>
public sealed partial class ExportPage
{
    private static readonly ExportFormat[] Formats = [ExportFormat.Parquet, ExportFormat.Csv, ExportFormat.Jsonl];

    [Inject] public required DailyExport Export { get; init; }
    [Inject] public required ExportPaths Paths { get; init; }
    [Inject] public required IOptions<ExportOptions> Options { get; init; }
    [Inject] public required TimeProvider Clock { get; init; }

    /// <summary>The form can be linked: <c>/admin/export?from=2031-01-01&amp;to=2031-01-31&amp;format=csv</c>.</summary>
    [SupplyParameterFromQuery(Name = "from")] public string? FromQuery { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? ToQuery { get; set; }
    [SupplyParameterFromQuery(Name = "format")] public string? FormatQuery { get; set; }

    private IEnumerable<string> _datasets = ExportDataset.All.Select(d => d.Name).ToList();
    private DateTime? _from, _to;
    private ExportFormat _format = ExportFormat.Parquet;
    private bool _running;
    private double _fraction;
    private string? _message, _error, _directory;
    private ExportFilesResult? _result;
    private CancellationTokenSource? _cancel;

    protected override void OnInitialized()
    {
        var yesterday = Clock.GetUtcNow().UtcDateTime.Date.AddDays(-1);
        (_from, _to) = (ParseDay(FromQuery) ?? yesterday.AddDays(-6), ParseDay(ToQuery) ?? yesterday);
        if (ExportFormats.TryParse(FormatQuery, out var format)) _format = format;
    }

    private static DateTime? ParseDay(string? value) =>
        IsoDay.TryParse(value, out var day) ? day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) : null;

    /// <summary>Why the form cannot run, or null.</summary>
    private string? Invalid => !_datasets.Any() ? "Choose at least one dataset."
        : _from is null || _to is null ? "Choose both days."
        : _to < _from ? "The last day is before the first."
        : null;

    private string DownloadUrl(string dataset) =>
        $"api/v1/export/{dataset}?from={Day(_from!.Value)}&to={Day(_to!.Value)}&format={_format.Extension()}";

    private async Task RunAsync()
    {
        if (Invalid is not null) return;
        _running = true;
        (_result, _error, _fraction, _message) = (null, null, 0, "Starting");
        _cancel = new CancellationTokenSource();
        var datasets = ExportDataset.All.Where(d => _datasets.Contains(d.Name)).ToList();
        _directory = Path.Combine(Paths.Directory, "manual",
            $"{Clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{_format.Extension()}");
        // Reported on the circuit's context (Progress<T> captures it): each report re-renders the bar.
        var progress = new Progress<ExportProgress>(p =>
        {
            (_fraction, _message) = (p.Fraction, p.Message);
            StateHasChanged();
        });
        try
        {
            _result = await Export.RunAsync(datasets, DateOnly.FromDateTime(_from!.Value), DateOnly.FromDateTime(_to!.Value), _format, _directory,
                Options.Value.Compression, progress, _cancel.Token);
            (_fraction, _message) = (1, "Done");
        }
        catch (OperationCanceledException)
        {
            _message = "Cancelled; the days already written are kept.";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            _error = $"The export failed: {ex.Message}";
        }
        finally
        {
            _running = false;
            _cancel.Dispose();
            _cancel = null;
        }
    }

    private void Cancel() => _cancel?.Cancel();

    public void Dispose() => _cancel?.Cancel();

    private static string Day(DateTime value) => IsoDay.Format(DateOnly.FromDateTime(value));
}
