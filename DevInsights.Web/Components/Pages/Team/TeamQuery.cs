using DevInsights.Web.Components.Pages.Shared;

namespace DevInsights.Web.Components.Pages.Team;

/// <summary>One leaderboard line (only developers who opted in appear).</summary>
public sealed record LeaderboardEntry(int Rank, string Name, long Sessions, long Tokens, double CostUsd, long ToolCalls, double? ToolSuccessRate);

/// <summary>A day of the team's trend charts.</summary>
public sealed record TeamDay(string Day, long Sessions, double CostUsd, long Tokens);

public sealed record TeamModel(
    SessionStats Sessions,
    UsageTotals Totals,
    int ActiveDevelopers,
    IReadOnlyList<LeaderboardEntry> Leaderboard,
    IReadOnlyList<ToolStat> Tools,
    IReadOnlyList<TeamDay> Trend);

/// <summary>The team view: aggregates over everyone (visible to every role) and a leaderboard of volunteers.</summary>
public sealed class TeamQuery(UsageRollup rollup, ActivityQueries activity)
{
    public const int ToolCount = 15;

    public async Task<TeamModel> LoadAsync(TimeRange range, CancellationToken ct = default)
    {
        var usage = await rollup.SummarizeAsync(UsageScope.Team, range, ct);
        var developers = await rollup.ByDeveloperAsync(UsageScope.Team, range, ct);
        var stats = await activity.SessionStatsAsync(UsageScope.Team, range, ct);
        var tools = await activity.TopToolsAsync(UsageScope.Team, range, ToolCount, ct);
        return new TeamModel(
            stats,
            usage.Totals,
            developers.Count(d => d.DeveloperId.Length > 0 && (d.Tokens > 0 || d.Sessions > 0)),
            Leaderboard(developers),
            tools,
            usage.Daily().Select(d => new TeamDay(Format.Day(d.Day), d.Totals.SessionsStarted, Math.Round(d.Totals.CostUsd, 4), d.Totals.Tokens)).ToList());
    }

    /// <summary>Ranked by tokens (the volume of work handed to the assistants), then by sessions.</summary>
    public static IReadOnlyList<LeaderboardEntry> Leaderboard(IReadOnlyList<DeveloperUsage> developers) =>
        developers.Where(d => d.LeaderboardOptIn && (d.Tokens > 0 || d.Sessions > 0))
            .OrderByDescending(d => d.Tokens).ThenByDescending(d => d.Sessions).ThenBy(d => d.Name, StringComparer.Ordinal)
            .Select((d, i) => new LeaderboardEntry(i + 1, d.Name, d.Sessions, d.Tokens, d.CostUsd, d.ToolCalls,
                d.ToolCalls == 0 ? null : (double)(d.ToolCalls - d.ToolErrors) / d.ToolCalls))
            .ToList();
}
