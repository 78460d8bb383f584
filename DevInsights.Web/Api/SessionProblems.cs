using System.Text.Json;
using DevInsights.Core.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary>RFC 7807 answers for the sessions API: 400 with <c>errors</c> keyed by the field at fault, 403, 404, 415.</summary>
internal static class SessionProblems
{
    public static ProblemHttpResult Validation(IReadOnlyDictionary<string, string[]> errors, string detail = "One or more fields are invalid.") =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Invalid request",
            Detail = detail,
        });

    public static ProblemHttpResult Validation(FieldErrors errors) => Validation(errors.ToDictionary());

    /// <summary>The problem for a failed service result (never call it with an Ok result).</summary>
    public static ProblemHttpResult From<T>(SessionResult<T> result) => result.Status switch
    {
        SessionResultStatus.Invalid => Validation(result.Errors),
        SessionResultStatus.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: result.Detail),
        SessionResultStatus.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Detail),
        _ => throw new InvalidOperationException($"{result.Status} is not a failure."),
    };

    /// <summary>Reads a JSON body; a malformed value becomes a 400 naming its JSON path ("messages[2].timestamp").</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpRequest request, JsonSerializerOptions options, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
            return (default, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the body as application/json."));
        try
        {
            return (await request.ReadFromJsonAsync<T>(options, ct), null);
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
            return (default, Validation(new Dictionary<string, string[]> { [field] = [$"Not a valid value{where}."] },
                "The body is not valid JSON for this request."));
        }
    }

    /// <summary>"$.messages[2].role" → "messages[2].role"; the root → "body".</summary>
    internal static string FieldOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return "body";
        return jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..]
            : jsonPath.StartsWith('$') ? jsonPath[1..] : jsonPath;
    }
}
