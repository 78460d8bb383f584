using DevInsights.Core.Otlp.Storage;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary><c>GET /api/v1/telemetry/health</c>: when each machine and developer last sent telemetry, per signal, and
/// which went quiet (nothing for more than 24 hours after having sent some). Team leads and admins see everyone;
/// a developer sees their own telemetry and the machines it came from.</summary>
public static class TelemetryHealthApi
{
    public static RouteGroupBuilder MapTelemetryHealthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/telemetry").RequireAuthorization().WithTags("Telemetry");
        group.MapGet("/health", GetTelemetryHealth)
            .WithName("GetTelemetryHealth")
            .WithSummary("Last telemetry received per machine and developer, per signal, with a stale flag")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return group;
    }

    public static async Task<Results<Ok<TelemetryHealthReport>, ProblemHttpResult>> GetTelemetryHealth(
        HttpContext http, TelemetryHealth health, CancellationToken ct)
    {
        var caller = CurrentUser.From(http.User);
        if (caller is null) return TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "Sign in or send an API key.");
        return TypedResults.Ok(await health.ReadAsync(caller.SeesEveryone ? null : caller.Id, ct));
    }
}
