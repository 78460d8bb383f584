using System.Security.Claims;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary>GET /api/v1/me: who the presented credentials belong to (a quick check for a new API key).</summary>
public static class MeApi
{
    public sealed record MeResponse(string Id, string? Email, IReadOnlyList<string> Roles);

    public static RouteGroupBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").RequireAuthorization().WithTags("Me");
        group.MapGet("/me", GetMe)
            .WithName("GetMe")
            .WithSummary("The authenticated caller: id, email and roles.");
        return group;
    }

    public static Results<Ok<MeResponse>, ProblemHttpResult> GetMe(ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal);
        if (user is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "The credentials name no user.");
        return TypedResults.Ok(new MeResponse(user.Id, principal.FindFirstValue(ClaimTypes.Email),
            user.Roles.Order(StringComparer.Ordinal).ToList()));
    }
}
