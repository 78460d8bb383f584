using DevInsights.Core.Team;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DevInsights.Web.Api;

/// <summary>GET /api/v1/team/{stats,tools,leaderboard,trends}?days=: team aggregates over the last 1–365 days
/// (default 30), visible to every signed-in role. Developers sharing nothing still count; the leaderboard
/// names only developers who opted in.</summary>
public static class TeamApi
{
    public sealed record ToolsResponse(int Days, IReadOnlyList<TeamToolStats> Tools);
    public sealed record LeaderboardResponse(int Days, IReadOnlyList<LeaderboardEntry> Entries);
    public sealed record TrendsResponse(int Days, IReadOnlyList<TeamDay> Daily);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/stats", GetStats).WithName("GetTeamStats")
            .WithSummary("Sessions, active developers, tokens (input/output/cache), cost and total duration.");
        group.MapGet("/tools", GetTools).WithName("GetTeamTools")
            .WithSummary("Per tool: calls, successes, errors and success rate of the calls made in the range (whole hours, from the tool rollups).");
        group.MapGet("/leaderboard", GetLeaderboard).WithName("GetTeamLeaderboard")
            .WithSummary("Developers who opted in: sessions, tokens and cost, by cost descending.");
        group.MapGet("/trends", GetTrends).WithName("GetTeamTrends")
            .WithSummary("Per UTC day: sessions, tokens, cost and active developers.");
    }

    public static async Task<Results<Ok<TeamStats>, ProblemHttpResult>> GetStats(string? days, TeamStatsService team, CancellationToken ct) =>
        ParseDays(days, out var d) is { } problem ? problem : TypedResults.Ok(await team.GetStatsAsync(d, ct));

    public static async Task<Results<Ok<ToolsResponse>, ProblemHttpResult>> GetTools(string? days, TeamStatsService team, CancellationToken ct) =>
        ParseDays(days, out var d) is { } problem ? problem : TypedResults.Ok(new ToolsResponse(d, await team.GetToolsAsync(d, ct)));

    public static async Task<Results<Ok<LeaderboardResponse>, ProblemHttpResult>> GetLeaderboard(string? days, TeamStatsService team, CancellationToken ct) =>
        ParseDays(days, out var d) is { } problem ? problem : TypedResults.Ok(new LeaderboardResponse(d, await team.GetLeaderboardAsync(d, ct)));

    public static async Task<Results<Ok<TrendsResponse>, ProblemHttpResult>> GetTrends(string? days, TeamStatsService team, CancellationToken ct) =>
        ParseDays(days, out var d) is { } problem ? problem : TypedResults.Ok(new TrendsResponse(d, await team.GetTrendsAsync(d, ct)));

    /// <summary>Bound as text so that "abc" is a 400 naming <c>days</c> like an out-of-range number.</summary>
    private static ProblemHttpResult? ParseDays(string? value, out int days)
    {
        days = TeamStatsService.DefaultDays;
        if (value is null) return null;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out days)
            && TeamStatsService.IsValidDays(days))
            return null;
        return SessionProblems.Validation(new Dictionary<string, string[]> { ["days"] = [$"Must be a whole number between 1 and {TeamStatsService.MaxDays}."] });
    }
}
