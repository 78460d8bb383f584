using System.Globalization;
using System.Text.Json;
using DevInsights.Core.Hierarchy;
using Microsoft.AspNetCore.Http.HttpResults;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Api;

/// <summary>Body of <c>POST /api/v1/machines</c>.</summary>
/// <param name="MachineId">The collector's stable id for the machine (required).</param>
/// <param name="Metadata">Any JSON object (CPU, memory, shell...); replaces the stored one.</param>
public sealed record MachineUpsertRequest(
    string? MachineId,
    string? Hostname,
    string? Os,
    string? OsVersion,
    string? Arch,
    string? Ip,
    JsonElement? Metadata)
{
    public MachineUpsert ToUpsert() => new(MachineId ?? "", Hostname, Os, OsVersion, Arch, Ip, Metadata);
}

/// <summary>Body of <c>POST /api/v1/workspaces</c>.</summary>
/// <param name="WorkspaceId">The collector's stable id for the working directory (required).</param>
/// <param name="MachineId">The client machine id; an unknown machine is created (required).</param>
/// <param name="RepoUrl">The git remote; without a usable one the workspace gets a local project.</param>
public sealed record WorkspaceUpsertRequest(
    string? WorkspaceId,
    string? MachineId,
    string? RepoUrl,
    string? Path,
    string? Branch,
    string? Commit)
{
    public WorkspaceUpsert ToUpsert() => new(WorkspaceId ?? "", MachineId ?? "", RepoUrl, Path, Branch, Commit);
}

/// <summary>Query of <c>GET /api/v1/projects/{id}/events</c>, as text so that a bad value is answered with a
/// problem naming the parameter instead of the framework's anonymous 400.</summary>
/// <param name="MachineId">A client machine id (as posted to /machines), not a numeric id.</param>
/// <param name="WorkspaceId">A client workspace id (as posted to /workspaces), not a numeric id.</param>
/// <param name="From">ISO 8601; inclusive. Without an offset it is read as UTC.</param>
/// <param name="To">ISO 8601; exclusive.</param>
/// <param name="Limit">1 to 500, default 100.</param>
/// <param name="Cursor">The <c>nextCursor</c> of the previous page.</param>
public sealed record ProjectEventsRequest(
    [FromQuery(Name = "machineId")] string? MachineId,
    [FromQuery(Name = "workspaceId")] string? WorkspaceId,
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To,
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "cursor")] string? Cursor)
{
    /// <summary>The service query, or the problems of each parameter.</summary>
    public EventQuery? ToQuery(long projectId, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var from = ParseTime(From, "from", errors);
        var to = ParseTime(To, "to", errors);
        var limit = EventQuery.DefaultLimit;
        if (Limit is not null && !int.TryParse(Limit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
            errors["limit"] = ["limit must be a whole number."];
        if (errors.Count > 0) return null;

        var query = new EventQuery(projectId, Blank(MachineId), Blank(WorkspaceId), from, to, limit, Blank(Cursor));
        errors = HierarchyValidation.Validate(query);
        return errors.Count > 0 ? null : query;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static DateTime? ParseTime(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return parsed.UtcDateTime;
        errors[field] = [$"{field} must be an ISO 8601 date and time, such as 2025-01-31T09:00:00Z."];
        return null;
    }
}

/// <summary>Reading JSON bodies and shaping the problem answers of the hierarchy API.</summary>
internal static class HierarchyRequests
{
    /// <summary>No hierarchy body comes near this: metadata is capped at 16 KB.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer: 415 not JSON, 413 too large,
    /// 400 unreadable with <c>errors</c> keyed by the field at fault ("body" for the document itself).</summary>
    private static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class
    {
        if (!request.HasJsonContentType())
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the body as application/json."));
        if (request.ContentLength > MaxBodyBytes)
            return (null, TooLarge());
        try
        {
            var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, ct);
            return value is null ? (null, Invalid("body", "The body must be a JSON object.")) : (value, null);
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "body" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
            return (null, Invalid(field, field == "body" ? "The body is not valid JSON." : $"{field} has the wrong JSON type or is malformed."));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
        }
    }

    /// <summary>The body read as <typeparamref name="TRequest"/>, mapped and validated: the upsert to run, or the
    /// problem to answer.</summary>
    public static async Task<(TUpsert? Value, ProblemHttpResult? Problem)> ReadUpsertAsync<TRequest, TUpsert>(
        HttpRequest request, Func<TRequest, TUpsert> map, Func<TUpsert, Dictionary<string, string[]>> validate, CancellationToken ct)
        where TRequest : class
        where TUpsert : class
    {
        var (body, problem) = await ReadAsync<TRequest>(request, ct);
        if (problem is not null) return (null, problem);
        var upsert = map(body!);
        var errors = validate(upsert);
        return errors.Count > 0 ? (null, Validation(errors)) : (upsert, null);
    }

    /// <summary>OpenAPI and size limit of an endpoint that reads a <typeparamref name="TRequest"/> JSON body.</summary>
    public static RouteHandlerBuilder AcceptsJsonBody<TRequest>(this RouteHandlerBuilder endpoint) where TRequest : notnull =>
        endpoint.Accepts<TRequest>("application/json")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    public static ProblemHttpResult Invalid(string field, string message) =>
        Validation(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more validation errors occurred.",
        });

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
            detail: $"The body must be at most {MaxBodyBytes / 1024} KB.");
}
