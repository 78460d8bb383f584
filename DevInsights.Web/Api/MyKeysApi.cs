using System.Text.Json;
using DevInsights.Core.Identity;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary>GET/POST /api/v1/me/keys and DELETE /api/v1/me/keys/{id}: the caller's own API keys, with the browser's
/// cookie or an API key. Another user's key id is a 404.</summary>
public static class MyKeysApi
{
    public sealed record KeysResponse(IReadOnlyList<OwnKey> Keys);

    /// <summary>The body of POST /me/keys; an empty body or no name gives the default name.</summary>
    public sealed record IssueRequest(string? Name);

    /// <summary>The new key: <see cref="Key"/> is the secret, shown in this response only.</summary>
    public sealed record IssuedResponse(long Id, string Key, string Prefix, string Name, string Note);

    public static RouteGroupBuilder Map(RouteGroupBuilder group)
    {
        group.MapGet("/", ListKeys).WithName("ListMyKeys")
            .WithSummary("The caller's API keys, newest first: prefix, name, created, last used, revoked.");
        group.MapPost("/", IssueKey).WithName("IssueMyKey")
            .WithSummary($"Issues a key for the caller (body {{\"name\": \"...\"}}, optional); the secret is in this response only. " +
                $"At most {PersonalKeys.MaxActiveKeys} active keys (409 beyond); audited.");
        group.MapDelete("/{id:long}", RevokeKey).WithName("RevokeMyKey")
            .WithSummary("Revokes one of the caller's keys at once (204, also when already revoked); another user's key is a 404; audited.");
        return group;
    }

    public static async Task<Ok<KeysResponse>> ListKeys(HttpContext http, PersonalKeys keys, CancellationToken ct) =>
        TypedResults.Ok(new KeysResponse(await keys.ListAsync(Caller(http).Id!, ct)));

    public static async Task<Results<Created<IssuedResponse>, ProblemHttpResult>> IssueKey(HttpContext http, PersonalKeys keys, CancellationToken ct)
    {
        IssueRequest? body = null;
        // No body at all (curl -X POST) is fine; anything sent must be JSON.
        if (http.Request.ContentLength > 0 || http.Request.ContentType is not null)
        {
            (body, var problem) = await SessionProblems.ReadJsonAsync<IssueRequest>(http.Request, JsonSerializerOptions.Web, ct);
            if (problem is not null) return problem;
        }
        var errors = PersonalKeys.Validate(body?.Name);
        if (errors.Count > 0) return SessionProblems.Validation(errors);

        var issued = await keys.IssueAsync(Caller(http), body?.Name, ct);
        if (issued is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many keys",
                detail: $"You hold {PersonalKeys.MaxActiveKeys} active keys: revoke one you no longer use first.");
        return TypedResults.Created($"/api/v1/me/keys/{issued.Id}",
            new IssuedResponse(issued.Id, issued.Secret, issued.Prefix, issued.Name, "Store the key now: it is shown only once."));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(HttpContext http, PersonalKeys keys, long id, CancellationToken ct) =>
        await keys.RevokeAsync(Caller(http), id, ct) == OwnKeyRevocation.NotFound
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"You have no key with the id {id}.")
            : TypedResults.NoContent();

    private static AuditActor Caller(HttpContext http)
    {
        var user = CurrentUser.Require(http.User);
        return AuditActors.From(user, http.Connection.RemoteIpAddress?.ToString());
    }
}
