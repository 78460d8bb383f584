using System.Globalization;
using System.Text.Json;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary>GET /api/v1/admin/identities and PUT /api/v1/admin/identities/{id}: the telemetry identities and their
/// links to users, for administrators (the route group requires the Admin role, and
/// <see cref="TelemetryIdentityAdministration"/> checks it again).</summary>
public static class IdentitiesApi
{
    public const int DefaultPageSize = 50;

    public const string AppliesToNewTelemetry =
        "Links apply to telemetry received from now on: sessions that start after the change are attributed with it. " +
        "Sessions already stored, including one still running, keep their developer.";

    /// <summary>The query string, bound as text so that a malformed value is a 400 naming it.</summary>
    public sealed record ListParameters(string? Kind, string? Linked, string? Q, string? Page, string? PageSize, string? Sort);

    public sealed record ListResponse(IReadOnlyList<IdentityRow> Items, int Total, int Unlinked, int Page, int PageSize);

    public sealed record LinkResponse(IdentityRow Identity, string Outcome, string Note);

    private static readonly Dictionary<string, IdentitySort> Sorts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lastSeen"] = IdentitySort.LastSeen, ["firstSeen"] = IdentitySort.FirstSeen, ["kind"] = IdentitySort.Kind,
        ["value"] = IdentitySort.Value, ["client"] = IdentitySort.Client,
    };

    public static RouteGroupBuilder Map(RouteGroupBuilder group)
    {
        group.MapGet("/", ListIdentities).WithName("ListTelemetryIdentities")
            .WithSummary("Telemetry identities (email, account, install ids) with their linked user: kind=email|account|install, " +
                "linked=true|false, q (value or user email), sort=lastSeen|firstSeen|kind|value|client ('-' for descending, " +
                "default -lastSeen), page >= 1, pageSize 1-200 (default 50). Admin only.");
        group.MapPut("/{id:long}", SetLink).WithName("SetTelemetryIdentityLink")
            .WithSummary("Links the identity to a user ({\"userId\": \"...\"}) or unlinks it ({\"userId\": null}); audited; " +
                "applies to telemetry received from now on. Admin only.");
        return group;
    }

    public static async Task<Results<Ok<ListResponse>, ProblemHttpResult>> ListIdentities(
        HttpContext http, TelemetryIdentityAdministration identities, [AsParameters] ListParameters p, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (p.Kind is not null && !TelemetryIdentityAdministration.Kinds.Contains(p.Kind))
            errors.Add("kind", $"Must be one of {string.Join(", ", TelemetryIdentityAdministration.Kinds)}.");
        bool? linked = p.Linked is null ? null : bool.TryParse(p.Linked, out var l) ? l : null;
        if (p.Linked is not null && linked is null) errors.Add("linked", "Must be true or false.");
        var page = Whole(errors, "page", p.Page, 1, int.MaxValue / MaxPageSizeOf) ?? 1;
        var pageSize = Whole(errors, "pageSize", p.PageSize, 1, TelemetryIdentityAdministration.MaxPageSize) ?? DefaultPageSize;
        var descending = p.Sort is null || p.Sort.StartsWith('-');
        var sortName = p.Sort?.TrimStart('-') ?? "lastSeen";
        if (!Sorts.TryGetValue(sortName, out var sort))
            errors.Add("sort", $"Must be one of {string.Join(", ", Sorts.Keys)}, optionally prefixed by '-' for descending.");
        if (p.Q is { Length: > 320 }) errors.Add("q", "Must be at most 320 characters.");
        if (errors.Any) return SessionProblems.Validation(errors);

        var result = await identities.QueryAsync(Caller(http),
            new IdentityQuery(p.Kind, linked, p.Q, sort, descending, (page - 1) * pageSize, pageSize), ct);
        return TypedResults.Ok(new ListResponse(result.Items, result.Total, result.Unlinked, page, pageSize));
    }

    public static async Task<Results<Ok<LinkResponse>, ProblemHttpResult>> SetLink(
        HttpContext http, TelemetryIdentityAdministration identities, long id, CancellationToken ct)
    {
        var (body, problem) = await SessionProblems.ReadJsonAsync<JsonElement>(http.Request, JsonSerializerOptions.Web, ct);
        if (problem is not null) return problem;
        // "userId" must be present: null unlinks, so a missing field must not unlink by accident.
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("userId", out var userId)
            || userId.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            return SessionProblems.Validation(new Dictionary<string, string[]> { ["userId"] = ["Required: a user id, or null to unlink."] });

        var result = await identities.SetLinkAsync(Caller(http), id, userId.GetString(), ct);
        return result.Outcome switch
        {
            IdentityLinkOutcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Detail),
            IdentityLinkOutcome.UnknownUser => SessionProblems.Validation(new Dictionary<string, string[]> { ["userId"] = [result.Detail!] }),
            IdentityLinkOutcome.AccountEmail => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: result.Detail),
            _ => TypedResults.Ok(new LinkResponse(result.Identity!, result.Outcome.ToString().ToLowerInvariant(), AppliesToNewTelemetry)),
        };
    }

    // Keeps (page - 1) * pageSize within an int for the largest page size.
    private const int MaxPageSizeOf = TelemetryIdentityAdministration.MaxPageSize;

    private static AdminCaller Caller(HttpContext http)
    {
        var user = CurrentUser.Require(http.User);
        return AdminCaller.For(AuditActors.From(user, http.Connection.RemoteIpAddress?.ToString()), user.Roles);
    }

    private static int? Whole(FieldErrors errors, string field, string? value, int min, int max)
    {
        if (value is null) return null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max) return parsed;
        errors.Add(field, $"Must be a whole number from {min} to {max}.");
        return null;
    }
}
