using System.Security.Claims;
using System.Text.Json;
using DevInsights.Core.Identity;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary>GET /api/v1/me and PUT /api/v1/me/settings: the caller's identity and own privacy settings. Both
/// work with the browser's cookie and with an API key.</summary>
public static class MeApi
{
    public sealed record MeResponse(string Id, string? Email, IReadOnlyList<string> Roles, string? DisplayName, string ShareLevel, bool LeaderboardOptIn);

    /// <summary>The body of PUT /me/settings; every field is read as sent so that a bad value is a 400 naming it.</summary>
    public sealed record SettingsRequest(string? ShareLevel, bool? LeaderboardOptIn, string? DisplayName);

    public sealed record SettingsResponse(string ShareLevel, bool LeaderboardOptIn, string? DisplayName, string Note);

    public const string AppliesToNewData =
        "The share level applies to data stored from now on; what was stored before keeps the level it was stored under.";

    public static RouteGroupBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").RequireAuthorization().WithTags("Me");
        group.MapGet("/me", GetMe)
            .WithName("GetMe")
            .WithSummary("The authenticated caller: id, email, roles, display name, share level and leaderboard choice.");
        group.MapPut("/me/settings", PutSettings)
            .WithName("PutMySettings")
            .WithSummary("Changes the caller's share level (none|metadata|full), leaderboard opt-in and display name; audited.");
        return group;
    }

    public static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMe(ClaimsPrincipal principal, UserSettingsService settings, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var profile = user is null ? null : await settings.GetAsync(user.Id, ct);
        if (user is null || profile is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "The credentials name no user.");
        return TypedResults.Ok(new MeResponse(user.Id, profile.Email ?? principal.FindFirstValue(ClaimTypes.Email),
            user.Roles.Order(StringComparer.Ordinal).ToList(), profile.DisplayName, Name(profile.ShareLevel), profile.LeaderboardOptIn));
    }

    public static async Task<Results<Ok<SettingsResponse>, ProblemHttpResult>> PutSettings(
        HttpContext http, UserSettingsService settings, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        if (user is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "The credentials name no user.");
        var (body, problem) = await SessionProblems.ReadJsonAsync<SettingsRequest>(http.Request, JsonSerializerOptions.Web, ct);
        if (problem is not null) return problem;

        var errors = UserSettingsService.Validate(body?.DisplayName);
        ShareLevel level = default;
        if (body?.ShareLevel is null) errors["shareLevel"] = ["Required: none, metadata or full."];
        else if (!TryParse(body.ShareLevel, out level)) errors["shareLevel"] = ["Must be none, metadata or full."];
        if (body?.LeaderboardOptIn is null) errors["leaderboardOptIn"] = ["Required: true or false."];
        if (errors.Count > 0) return SessionProblems.Validation(errors);

        var saved = await settings.UpdateAsync(user.Id, level, body!.LeaderboardOptIn!.Value, body.DisplayName,
            AuditActors.From(user, http.Connection.RemoteIpAddress?.ToString()), ct);
        if (saved is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "The credentials name no user.");
        return TypedResults.Ok(new SettingsResponse(Name(saved.ShareLevel), saved.LeaderboardOptIn, saved.DisplayName, AppliesToNewData));
    }

    private static string Name(ShareLevel level) => level.ToString().ToLowerInvariant();

    // Enum.TryParse would also accept numbers ("2") and combinations; the API takes the three names only.
    private static bool TryParse(string value, out ShareLevel level)
    {
        foreach (var candidate in Enum.GetValues<ShareLevel>())
            if (string.Equals(Name(candidate), value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                level = candidate;
                return true;
            }
        level = default;
        return false;
    }
}
