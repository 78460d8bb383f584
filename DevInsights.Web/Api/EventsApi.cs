using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Sessions;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Api;

/// <summary>The answer to a batch: new events stored, events already stored (same session and eventId), and
/// the items refused, each with its index, field and reason.</summary>
public sealed record EventsResponse(int Accepted, int Duplicates, IReadOnlyList<EventRejection> Rejected);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EventsResponse))]
internal sealed partial class EventsJsonContext : JsonSerializerContext;

/// <summary>What <see cref="EventsApi.PostEvents"/> needs from the container.</summary>
public sealed record EventsApiServices(
    IngestionQueue Queue,
    IngestionSessionCache Sessions,
    AttributeLimits Limits,
    UnassignedProject Unassigned,
    IDbContextFactory<DevInsightsDbContext> DbFactory,
    IOptions<DevInsightsOptions> Options);

/// <summary><c>POST /api/v1/events</c>: batches of events from collectors and scripts, stored durably before the
/// answer (a 2xx means committed).</summary>
public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization().WithTags("Events");
        api.MapPost("/events", PostEvents)
            .WithName("PostEvents")
            .WithSummary("Store a batch of events")
            .WithDescription("A JSON array of events (sessionId, timestamp, type required). Valid items are committed even when "
                + "others are refused; a retried item with the same sessionId and eventId is reported as a duplicate, never stored twice.")
            .Accepts<JsonElement>("application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    public static async Task<Results<Ok<EventsResponse>, ValidationProblem, ProblemHttpResult>> PostEvents(
        HttpContext http, [AsParameters] EventsApiServices services, CancellationToken ct)
    {
        var caller = CurrentUser.From(http.User);
        if (caller is null) return TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "Send an API key.");
        var options = services.Options.Value.Ingestion;
        if (!http.Request.HasJsonContentType())
            return TypedResults.Problem(statusCode: 415, title: "Unsupported media type",
                detail: $"Send the events as application/json (got '{http.Request.ContentType ?? "no content type"}').");

        using var body = await RequestBody.ReadAsync(http.Request, options.MaxBodyBytes, ct);
        if (body is null)
            return TypedResults.Problem(statusCode: 413, title: "Payload too large",
                detail: $"The body is larger than {options.MaxBodyBytes} bytes (DevInsights:Ingestion:MaxBodyBytes); split the batch.",
                extensions: Errors(new() { ["$"] = [$"must be at most {options.MaxBodyBytes} bytes."] }));

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Memory);
        }
        catch (JsonException ex)
        {
            return Invalid("$", $"The body is not valid JSON: {ex.Message}");
        }
        using (document)
        {
            var items = document.RootElement;
            if (items.ValueKind != JsonValueKind.Array) return Invalid("$", "The body must be a JSON array of events.");
            if (items.GetArrayLength() > options.MaxBatchEvents)
                return TypedResults.Problem(statusCode: 413, title: "Too many events",
                    detail: $"At most {options.MaxBatchEvents} events per request (got {items.GetArrayLength()}); split the batch.",
                    extensions: Errors(new() { ["$"] = [$"must hold at most {options.MaxBatchEvents} events."] }));
            return await IngestAsync(http, items, caller, services, ct);
        }
    }

    private static async Task<Results<Ok<EventsResponse>, ValidationProblem, ProblemHttpResult>> IngestAsync(
        HttpContext http, JsonElement items, CurrentUser caller, EventsApiServices services, CancellationToken ct)
    {
        var (shareLevel, owners, sessionIds) = await LookUpAsync(caller.Id, items, services, ct);
        var foreign = sessionIds.Where(s => owners.TryGetValue(s.Value, out var owner) && owner != caller.Id).Select(s => s.Key).ToList();
        if (foreign.Count > 0) return Forbidden(foreign);

        var accepted = new List<ParsedEvent>();
        var rejected = new List<EventRejection>();
        var parser = new EventItemParser(services.Limits, shareLevel);
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var (parsed, rejection) = parser.Parse(item, index++);
            if (parsed is not null) accepted.Add(parsed);
            else rejected.Add(rejection!);
        }
        if (accepted.Count == 0)
        {
            if (rejected.Count == 0) return TypedResults.Ok(new EventsResponse(0, 0, []));
            return TypedResults.ValidationProblem(
                rejected.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Select(r => r.Error).ToArray()),
                detail: "No event was valid; nothing was stored.", title: "Invalid events");
        }

        // Every session gets a context: one unknown now, or deleted since the look-up, is created for the caller.
        var projectId = await services.Unassigned.GetIdAsync(ct);
        var contexts = new Dictionary<string, SessionContext>(StringComparer.Ordinal);
        foreach (var e in accepted)
        {
            if (!contexts.TryGetValue(e.Event.ClientSessionId, out var context) || (context.Client == ClientKind.Other && e.Client is not null))
                contexts[e.Event.ClientSessionId] = new SessionContext(e.Client ?? ClientKind.Other, caller.Id, projectId, null, null);
        }

        var batch = new IngestBatch("api", accepted.Select(e => e.Event).ToList(), contexts);
        try
        {
            var result = await services.Queue.SubmitAsync(batch, ct);
            return TypedResults.Ok(new EventsResponse(result.Inserted, result.Duplicates, rejected));
        }
        catch (IngestionQueueFullException ex)
        {
            return Unavailable(429, "Too many requests", "The ingestion queue is full; retry after the indicated delay. Nothing was stored.", ex.RetryAfter);
        }
        catch (IngestionFailedException ex)
        {
            return Unavailable(503, "Service unavailable", ex.Message + " Retry after the indicated delay.", ex.RetryAfter);
        }
        catch (SessionOwnershipException ex)
        {
            // Another developer created one of these sessions after our look-up.
            return Forbidden(sessionIds.Where(s => ex.ClientSessionIds.Contains(s.Value)).Select(s => s.Key).ToList());
        }

        ProblemHttpResult Unavailable(int status, string title, string detail, TimeSpan retryAfter)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: status, title: title, detail: detail,
                extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
        }
    }

    /// <summary>The caller's share level, the owner of each named session that exists, and the session id of each
    /// item that names a usable one (by index).</summary>
    private static async Task<(ShareLevel ShareLevel, Dictionary<string, string?> Owners, Dictionary<int, string> SessionIds)> LookUpAsync(
        string callerId, JsonElement items, EventsApiServices services, CancellationToken ct)
    {
        var sessionIds = new Dictionary<int, string>();
        var owners = new Dictionary<string, string?>(StringComparer.Ordinal);
        var unknown = new List<string>();
        // The pre-pass only reads ids; content rules do not apply to them.
        var reader = new EventItemParser(services.Limits, ShareLevel.None);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = -1;
        foreach (var item in items.EnumerateArray())
        {
            index++;
            if (reader.SessionIdOf(item) is not { } id) continue;
            sessionIds[index] = id;
            if (!seen.Add(id)) continue;
            if (services.Sessions.TryGet(id, out var cached)) owners[id] = cached.DeveloperId;
            else unknown.Add(id);
        }
        await using var db = await services.DbFactory.CreateDbContextAsync(ct);
        // A missing user would be a deleted account with a live key: store no content for it.
        var shareLevel = await db.Users.AsNoTracking().Where(u => u.Id == callerId).Select(u => (ShareLevel?)u.ShareLevel).FirstOrDefaultAsync(ct)
            ?? ShareLevel.None;
        if (unknown.Count > 0)
        {
            foreach (var s in await db.Sessions.AsNoTracking().Where(s => unknown.Contains(s.ClientSessionId))
                         .Select(s => new { s.ClientSessionId, s.DeveloperId }).ToListAsync(ct))
                owners[s.ClientSessionId] = s.DeveloperId;
        }
        return (shareLevel, owners, sessionIds);
    }

    private static ProblemHttpResult Forbidden(List<int> indexes)
    {
        indexes.Sort();
        var errors = indexes.ToDictionary(i => $"[{i}].sessionId", _ => new[] { "belongs to another developer's session." });
        var extensions = Errors(errors);
        extensions["indexes"] = indexes;
        return TypedResults.Problem(statusCode: 403, title: "Forbidden",
            detail: $"The events at index(es) {string.Join(", ", indexes)} name sessions of another developer; nothing was stored.",
            extensions: extensions);
    }

    private static ValidationProblem Invalid(string field, string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] }, title: "Invalid request body");

    private static Dictionary<string, object?> Errors(Dictionary<string, string[]> errors) => new() { ["errors"] = errors };
}
