using DevInsights.Core.Costs;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Core.Pricing;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary><c>GET /api/v1/costs</c> (team leads and admins): provider-billed, telemetry-estimated and token × price cost per
/// day or by project, developer or model; and <c>POST /api/v1/admin/prices/litellm</c> (admins): a LiteLLM price file upload.</summary>
public static class CostsApi
{
    /// <summary>The widest range one request may ask for.</summary>
    public const int MaxDays = 366;

    public static IEndpointRouteBuilder MapCostsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/costs").RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.TeamLead)).WithTags("Costs")
            .MapGet("/", GetCosts)
            .WithName("GetCosts")
            .WithSummary("Billed vs estimated vs token × price cost, per day or grouped by project, developer or model, with gaps flagged")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        app.MapGroup("/api/v1/admin/prices").RequireAuthorization(p => p.RequireRole(Roles.Admin)).WithTags("Costs")
            .MapPost("/litellm", ImportLiteLlm)
            .WithName("ImportLiteLlmPrices")
            .WithSummary("Imports a LiteLLM model_prices_and_context_window.json (request body) as prices effective from ?effectiveFrom (default today)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    public static async Task<Results<Ok<CostReport>, ValidationProblem>> GetCosts(string? from, string? to, string? groupBy, CostsQuery costs,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var end = Day(to, "to", today, errors);
        var start = Day(from, "from", end.AddDays(-29), errors);
        var grouping = string.IsNullOrEmpty(groupBy) ? CostGrouping.Day : groupBy.ToLowerInvariant();
        if (!CostGrouping.All.Contains(grouping)) errors["groupBy"] = [$"Must be one of: {string.Join(", ", CostGrouping.All)}."];
        if (errors.Count == 0 && start > end) errors["to"] = ["Must not be before 'from'."];
        if (errors.Count == 0 && end.DayNumber - start.DayNumber + 1 > MaxDays) errors["to"] = [$"The range may span at most {MaxDays} days."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await costs.ReadAsync(start, end, grouping, ct));
    }

    public static async Task<Results<Ok<PriceImportResult>, ValidationProblem, ProblemHttpResult>> ImportLiteLlm(HttpContext http, string? effectiveFrom,
        PriceCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var day = Day(effectiveFrom, "effectiveFrom", DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), errors);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (http.Request.ContentLength > PricesUpload.MaxBytes)
            return TypedResults.Problem(statusCode: 413, title: "Payload too large", detail: $"The file may be at most {PricesUpload.MaxBytes / 1_000_000} MB.");
        try
        {
            var caller = CurrentUser.From(http.User);
            return TypedResults.Ok(await catalog.ImportLiteLlmAsync(http.Request.Body, day, caller?.Name, ct));
        }
        catch (System.Text.Json.JsonException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Not a LiteLLM price file: " + ex.Message] });
        }
    }

    private static DateOnly Day(string? value, string field, DateOnly fallback, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (IsoDay.TryParse(value, out var day)) return day;
        errors[field] = ["Must be a date as yyyy-MM-dd."];
        return fallback;
    }
}

/// <summary>Limits of a price file upload (page and API).</summary>
public static class PricesUpload
{
    /// <summary>LiteLLM's file is about 1 MB and grows; 20 MB leaves room without inviting abuse.</summary>
    public const long MaxBytes = 20_000_000;
}
