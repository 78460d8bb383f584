using System.Globalization;
using DevInsights.Core.Data;
using DevInsights.Core.Export;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DevInsights.Web.Api;

/// <summary><c>GET /api/v1/export/{dataset}?from&amp;to&amp;format=csv|jsonl</c>: a dataset for any range, streamed as it is
/// read (nothing buffered whole), for team leads and admins. Distinct from the dashboard's <c>/export/{view}.csv</c>
/// routes, which download a page's own table for whoever sees the page.</summary>
/// <remarks><c>from</c> and <c>to</c> are ISO dates or instants (UTC unless they carry an offset); <c>from</c> is inclusive,
/// <c>to</c> exclusive, except that a plain date <c>to</c> includes that whole day. Rows are filtered on the dataset's
/// time column (session start, event time, or the day of a rollup).</remarks>
public static class ExportApi
{
    public sealed record ExportRequest([FromRoute] string Dataset, [FromQuery] string? From, [FromQuery] string? To, [FromQuery] string? Format);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/{dataset}", Export).WithName("ExportDataset")
            .WithSummary("Streams a dataset (sessions, events, tool-usage, daily-stats) for a range as CSV or JSON Lines; team leads and admins.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }

    public static Results<PushStreamHttpResult, ProblemHttpResult> Export([AsParameters] ExportRequest request, HttpContext http,
        ExportService export)
    {
        var caller = CurrentUser.From(http.User);
        if (caller is not { SeesEveryone: true })
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Exports are for team leads and admins.");

        var errors = new Dictionary<string, string[]>();
        var dataset = ExportDataset.Find(request.Dataset);
        if (dataset is null) errors["dataset"] = [$"Unknown dataset; one of: {string.Join(", ", ExportDataset.All.Select(d => d.Name))}."];
        var from = ParseInstant(request.From, endOfDay: false, "from", errors);
        var to = ParseInstant(request.To, endOfDay: true, "to", errors);
        if (from is { } f && to is { } t && t <= f) errors["to"] = ["Must be after 'from'."];
        var format = ExportFormat.Csv;
        if (request.Format is not null && (!ExportFormats.TryParse(request.Format, out format) || format == ExportFormat.Parquet))
            errors["format"] = [format == ExportFormat.Parquet
                ? "Parquet is written to files: use the admin Export page or `admin export --format parquet`."
                : "Must be csv or jsonl."];
        if (errors.Count > 0) return SessionProblems.Validation(errors);

        var name = $"{dataset!.Name}-{from!.Value:yyyyMMdd'T'HHmm}-{to!.Value:yyyyMMdd'T'HHmm}.{format.Extension()}";
        return TypedResults.Stream(stream => export.StreamAsync(dataset, from.Value, to.Value, format, stream, ct: http.RequestAborted),
            format.ContentType(), name);
    }

    private static DateTime? ParseInstant(string? value, bool endOfDay, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = ["Required: an ISO date (2031-01-31) or instant (2031-01-31T12:00:00Z)."];
            return null;
        }
        if (IsoDay.TryParse(value, out var day))
            return (endOfDay ? day.AddDays(1) : day).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
            return instant.UtcDateTime;
        errors[field] = ["Not an ISO date (2031-01-31) or instant (2031-01-31T12:00:00Z)."];
        return null;
    }
}
