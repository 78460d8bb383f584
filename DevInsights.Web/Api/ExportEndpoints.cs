using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using CsvHelper;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Sessions;
using DevInsights.Web.Components.Pages.Overview;
using DevInsights.Web.Components.Pages.Projects;
using DevInsights.Web.Components.Pages.Sessions;
using DevInsights.Web.Components.Pages.Shared;
using DevInsights.Web.Components.Pages.Team;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DevInsights.Web.Api;

/// <summary>CSV downloads of the dashboard's tables: <c>/export/{view}.csv?{the page's own query}</c>. Authorised like the
/// pages (cookie or API key) and read through the same services, so an export holds exactly what the caller may see.
/// Rows stream out as they are read; nothing is buffered whole.</summary>
public static class ExportEndpoints
{
    /// <summary>The page size used to walk long lists (the services' maximum).</summary>
    private const int Chunk = SessionQuery.MaxPageSize;

    public static RouteGroupBuilder MapExports(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/export").RequireAuthorization().WithTags("Exports").ExcludeFromDescription();
        group.MapGet("/sessions.csv", ExportSessions).WithName("ExportSessions");
        group.MapGet("/sessions/{sessionId}/events.csv", ExportSessionEvents).WithName("ExportSessionEvents");
        group.MapGet("/tools.csv", ExportTools).WithName("ExportTools");
        group.MapGet("/leaderboard.csv", ExportLeaderboard).WithName("ExportLeaderboard");
        group.MapGet("/projects.csv", ExportProjects).WithName("ExportProjects");
        group.MapGet("/projects/{projectId:long}/events.csv", ExportProjectEvents).WithName("ExportProjectEvents");
        group.MapGet("/breakdown.csv", ExportBreakdown).WithName("ExportBreakdown");
        group.MapGet("/sessions/{sessionId}/tools.csv", ExportSessionTools).WithName("ExportSessionTools");
        group.MapGet("/machine-workspaces.csv", ExportMachineWorkspaces).WithName("ExportMachineWorkspaces");
        return group;
    }

    public sealed record RangeParameters([FromQuery] string? Range, [FromQuery] string? From, [FromQuery] string? To)
    {
        public TimeRange Resolve(TimeProvider clock) => TimeRange.Parse(Range, From, To, clock);
    }

    public sealed record SessionFilterParameters(
        [FromQuery] string? Developer, [FromQuery] string? Project, [FromQuery] string? Model, [FromQuery] string? Client,
        [FromQuery] string? Sort, [FromQuery] string? Dir, [FromQuery] string? Machine, [FromQuery] string? Workspace);

    public sealed record SessionRow(
        string SessionId, DateTime StartedAt, DateTime? EndedAt, string? Developer, string Project, string Client, string Models,
        long Events, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheCreationTokens, double CostUsd, long DurationMs);

    public sealed record EventRow(
        long Id, DateTime Timestamp, string Type, string? ToolName, string? Model, long InputTokens, long OutputTokens,
        long CacheReadTokens, long CacheCreationTokens, double? CostUsd, long? DurationMs, bool? Success, string Source);

    public static IResult ExportSessions(HttpContext http, SessionService sessions, TimeProvider clock, [AsParameters] RangeParameters range,
        [AsParameters] SessionFilterParameters filter)
    {
        var state = SessionListState.Parse(filter.Developer, filter.Project, filter.Model, filter.Client, filter.Sort, filter.Dir, null,
            filter.Machine, filter.Workspace);
        var caller = Caller(http);
        var resolved = range.Resolve(clock);
        return Csv("sessions.csv", Rows(http.RequestAborted));

        async IAsyncEnumerable<SessionRow> Rows([EnumeratorCancellation] CancellationToken ct)
        {
            for (var page = 1; ; page++)
            {
                var result = await sessions.ListAsync(caller, state.ToQuery(resolved, page, Chunk), ct);
                var items = result.Value?.Items ?? [];
                foreach (var s in items)
                    yield return new SessionRow(s.SessionId, s.StartedAt, s.EndedAt, s.Developer?.DisplayName, s.Project.Name, s.Client,
                        string.Join(' ', s.Models), s.EventCount, s.Tokens.Input, s.Tokens.Output, s.Tokens.CacheRead, s.Tokens.CacheCreation,
                        s.CostUsd, s.DurationMs);
                if (items.Count < Chunk) yield break;
            }
        }
    }

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ExportSessionEvents(
        HttpContext http, SessionService sessions, string sessionId, CancellationToken ct)
    {
        var caller = Caller(http);
        var first = await sessions.GetEventsAsync(caller, sessionId, SessionService.MaxEventLimit, null, ct);
        if (first.Status != SessionResultStatus.Ok) return SessionProblems.From(first);
        return Csv($"session-{FileSafe(sessionId)}-events.csv", Rows(first.Value!, http.RequestAborted));

        async IAsyncEnumerable<EventRow> Rows(SessionEventPage page, [EnumeratorCancellation] CancellationToken token)
        {
            while (true)
            {
                foreach (var e in page.Items)
                    yield return new EventRow(e.Id, e.Timestamp, e.Type, e.ToolName, e.Model, e.Tokens.Input, e.Tokens.Output,
                        e.Tokens.CacheRead, e.Tokens.CacheCreation, e.CostUsd, e.DurationMs, e.Success, e.Source);
                if (page.NextCursor is null) yield break;
                var next = await sessions.GetEventsAsync(caller, sessionId, SessionService.MaxEventLimit, page.NextCursor, token);
                if (next.Value is null) yield break;
                page = next.Value;
            }
        }
    }

    public static async Task<PushStreamHttpResult> ExportTools(ActivityQueries activity, TimeProvider clock, [AsParameters] RangeParameters range, CancellationToken ct)
    {
        var tools = await activity.TopToolsAsync(UsageScope.Team, range.Resolve(clock), int.MaxValue, ct);
        return Csv("tools.csv", tools.Select(t => new { Tool = t.Name, t.Calls, t.Successes, t.Errors, t.SuccessRate }).ToAsyncEnumerable());
    }

    public static async Task<PushStreamHttpResult> ExportLeaderboard(TeamQuery team, TimeProvider clock, [AsParameters] RangeParameters range, CancellationToken ct)
    {
        var model = await team.LoadAsync(range.Resolve(clock), ct);
        return Csv("leaderboard.csv", model.Leaderboard.ToAsyncEnumerable());
    }

    public static async Task<PushStreamHttpResult> ExportProjects(ProjectsQuery projects, TimeProvider clock, [AsParameters] RangeParameters range,
        string? q, CancellationToken ct) =>
        Csv("projects.csv", (await projects.LoadAsync(range.Resolve(clock), q, ct)).ToAsyncEnumerable());

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ExportProjectEvents(
        HttpContext http, HierarchyService hierarchy, TimeProvider clock, long projectId, [AsParameters] RangeParameters range,
        string? machine, string? workspace, string? type, CancellationToken ct)
    {
        var user = CurrentUser.Require(http.User);
        var resolved = range.Resolve(clock);
        var query = new EventQuery(projectId, QueryValues.Blank(machine), QueryValues.Blank(workspace), resolved.Start, resolved.End, EventQuery.MaxLimit, null, QueryValues.Blank(type));
        var first = await hierarchy.GetProjectEventsAsync(query, user.Id, user.Roles, ct);
        if (first is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No project {projectId}.");
        return Csv($"project-{projectId}-events.csv", Rows(first, http.RequestAborted));

        async IAsyncEnumerable<EventRow> Rows(EventPage page, [EnumeratorCancellation] CancellationToken token)
        {
            while (true)
            {
                foreach (var e in page.Items)
                    yield return new EventRow(e.Id, e.Timestamp, e.Type, e.ToolName, e.Model, e.InputTokens, e.OutputTokens,
                        e.CacheReadTokens, e.CacheCreationTokens, e.CostUsd, e.DurationMs, e.Success, e.Source);
                if (page.NextCursor is null) yield break;
                page = await hierarchy.GetProjectEventsAsync(query with { Cursor = page.NextCursor }, user.Id, user.Roles, token) ?? new EventPage([], null);
            }
        }
    }

    /// <summary>The overview's cost breakdown by <c>project</c>, <c>developer</c>, <c>model</c> or <c>client</c>, with the
    /// same privacy as the page (a developer sees only themselves and volunteers by name).</summary>
    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ExportBreakdown(
        HttpContext http, UsageRollup rollup, TimeProvider clock, [AsParameters] RangeParameters range, string? by, CancellationToken ct)
    {
        var user = CurrentUser.Require(http.User);
        var resolved = range.Resolve(clock);
        IReadOnlyList<Slice>? slices = by switch
        {
            "project" => (await rollup.ByProjectAsync(UsageScope.Team, resolved, ct)).Select(p => new Slice(p.Name, p.CostUsd, p.Tokens)).ToList(),
            "developer" => OverviewQuery.DeveloperSlices(await rollup.ByDeveloperAsync(UsageScope.Team, resolved, ct), user),
            "model" => (await rollup.SummarizeAsync(UsageScope.Team, resolved, ct)).SlicesBy(UsageDimension.Model),
            "client" => (await rollup.SummarizeAsync(UsageScope.Team, resolved, ct)).SlicesBy(UsageDimension.Client),
            _ => null,
        };
        if (slices is null)
            return SessionProblems.Validation(new Dictionary<string, string[]> { ["by"] = ["Must be project, developer, model or client."] });
        return Csv($"cost-by-{by}.csv", slices.Select(s => new { Name = s.Label, s.CostUsd, s.Tokens }).ToAsyncEnumerable());
    }

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ExportSessionTools(
        HttpContext http, SessionService sessions, string sessionId, CancellationToken ct)
    {
        var result = await sessions.GetAsync(Caller(http), sessionId, ct);
        if (result.Status != SessionResultStatus.Ok) return SessionProblems.From(result);
        return Csv($"session-{FileSafe(sessionId)}-tools.csv", result.Value!.Tools.ToAsyncEnumerable());
    }

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> ExportMachineWorkspaces(
        HierarchyService hierarchy, string? machine, CancellationToken ct)
    {
        var details = string.IsNullOrWhiteSpace(machine) ? null : await hierarchy.GetMachineAsync(machine, ct);
        if (details is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No machine '{machine}'.");
        return Csv("machine-workspaces.csv", details.Workspaces.ToAsyncEnumerable());
    }

    /// <summary>Streams <paramref name="rows"/> as CSV (invariant culture, UTF-8, header from the property names).</summary>
    public static PushStreamHttpResult Csv<T>(string fileName, IAsyncEnumerable<T> rows) =>
        TypedResults.Stream(async stream =>
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 16 * 1024);
            await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
            await csv.WriteRecordsAsync(rows);
        }, "text/csv; charset=utf-8", fileName);

    private static SessionCaller Caller(HttpContext http)
    {
        var user = CurrentUser.Require(http.User);
        return SessionCaller.For(user.Id, user.Roles);
    }

    private static string FileSafe(string value) =>
        new(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').Take(80).ToArray());
}
