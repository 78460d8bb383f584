using System.Globalization;
using DevInsights.Core.Sessions;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Api;

/// <summary>Session summaries uploaded by collectors, and the session list, detail and event pages.
/// A thin adapter: parsing to typed values here, every rule (validation, ownership, visibility) in <see cref="SessionService"/>.</summary>
public static class SessionsApi
{
    public static RouteGroupBuilder Map(RouteGroupBuilder group)
    {
        group.MapPost("/", UpsertSession).WithName("UpsertSession")
            .WithSummary("Create or replace a session summary (absolute totals); 201 when created, 200 when updated.")
            .Accepts<SessionUpload>("application/json");
        group.MapPost("/batch", UpsertSessionBatch).WithName("UpsertSessionBatch")
            .WithSummary($"Upsert up to {SessionUploadValidator.MaxBatchSessions} session summaries, with a result per item.")
            .Accepts<SessionBatchUpload>("application/json");
        group.MapGet("/", ListSessions).WithName("ListSessions")
            .WithSummary("Sessions, filtered, sorted (time, cost, tokens) and paged; developers see their own.");
        group.MapGet("/{sessionId}", GetSession).WithName("GetSession")
            .WithSummary("One session with its tools, tags and, when visible to the caller, its messages.");
        group.MapGet("/{sessionId}/events", GetSessionEvents).WithName("GetSessionEvents")
            .WithSummary("The session's events in time order, paged by an opaque cursor.");
        return group;
    }

    public static async Task<Results<Created<SessionUpsertResult>, Ok<SessionUpsertResult>, ProblemHttpResult>> UpsertSession(
        HttpContext context, SessionService sessions, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (upload, problem) = await SessionProblems.ReadJsonAsync<SessionUpload>(context.Request, json.Value.SerializerOptions, ct);
        if (problem is not null) return problem;
        var result = await sessions.UpsertAsync(Caller(context), upload, ct);
        if (result.Status != SessionResultStatus.Ok) return SessionProblems.From(result);
        var value = result.Value!;
        return value.Created
            ? TypedResults.Created($"/api/v1/sessions/{Uri.EscapeDataString(value.SessionId)}", value)
            : TypedResults.Ok(value);
    }

    public static async Task<Results<Ok<SessionBatchResult>, ProblemHttpResult>> UpsertSessionBatch(
        HttpContext context, SessionService sessions, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (batch, problem) = await SessionProblems.ReadJsonAsync<SessionBatchUpload>(context.Request, json.Value.SerializerOptions, ct);
        if (problem is not null) return problem;
        var result = await sessions.UpsertBatchAsync(Caller(context), batch?.Sessions, ct);
        return result.Status == SessionResultStatus.Ok ? TypedResults.Ok(result.Value!) : SessionProblems.From(result);
    }

    public static async Task<Results<Ok<SessionPage>, ProblemHttpResult>> ListSessions(
        HttpContext context, SessionService sessions, [AsParameters] SessionListParameters parameters, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var query = new SessionQuery(
            Developer: parameters.Developer,
            Model: parameters.Model,
            Client: parameters.Client,
            ProjectId: ParseLong(errors, "projectId", parameters.ProjectId),
            From: ParseInstant(errors, "from", parameters.From),
            To: ParseInstant(errors, "to", parameters.To),
            Sort: parameters.Sort,
            Dir: parameters.Dir,
            Page: ParseInt(errors, "page", parameters.Page) ?? 1,
            PageSize: ParseInt(errors, "pageSize", parameters.PageSize) ?? SessionQuery.DefaultPageSize);
        if (errors.Any) return SessionProblems.Validation(errors);
        var result = await sessions.ListAsync(Caller(context), query, ct);
        return result.Status == SessionResultStatus.Ok ? TypedResults.Ok(result.Value!) : SessionProblems.From(result);
    }

    public static async Task<Results<Ok<SessionDetail>, ProblemHttpResult>> GetSession(
        HttpContext context, SessionService sessions, string sessionId, CancellationToken ct)
    {
        var result = await sessions.GetAsync(Caller(context), sessionId, ct);
        return result.Status == SessionResultStatus.Ok ? TypedResults.Ok(result.Value!) : SessionProblems.From(result);
    }

    public static async Task<Results<Ok<SessionEventPage>, ProblemHttpResult>> GetSessionEvents(
        HttpContext context, SessionService sessions, string sessionId, [FromQuery] string? limit, [FromQuery] string? cursor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var parsedLimit = ParseInt(errors, "limit", limit) ?? SessionService.DefaultEventLimit;
        if (errors.Any) return SessionProblems.Validation(errors);
        var result = await sessions.GetEventsAsync(Caller(context), sessionId, parsedLimit, cursor, ct);
        return result.Status == SessionResultStatus.Ok ? TypedResults.Ok(result.Value!) : SessionProblems.From(result);
    }

    /// <summary>Query string of <c>GET /sessions</c>, bound as text so that a malformed value is a 400 naming it.</summary>
    public sealed record SessionListParameters(
        string? Developer, string? Model, string? Client, string? ProjectId,
        string? From, string? To, string? Sort, string? Dir, string? Page, string? PageSize);

    private static SessionCaller Caller(HttpContext context)
    {
        // The group requires an authenticated user, whose id claim the API key handler always sets.
        var user = CurrentUser.Require(context.User);
        return SessionCaller.For(user.Id, user.Roles);
    }

    private static long? ParseLong(FieldErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        errors.Add(field, "Must be a whole number.");
        return null;
    }

    private static int? ParseInt(FieldErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        errors.Add(field, "Must be a whole number.");
        return null;
    }

    private static DateTime? ParseInstant(FieldErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return parsed.UtcDateTime;
        errors.Add(field, "Must be an ISO 8601 date or date and time (e.g. 2026-01-31T09:00:00Z).");
        return null;
    }
}
