using DevInsights.Core.Sessions;
using DevInsights.Web.Components.Pages.Shared;
using DevInsights.Web.Security;

namespace DevInsights.Web.Components.Pages.Overview;

/// <summary>Everything the overview shows for one range, read from the rollup and per-session counters.</summary>
public sealed record OverviewModel(
    bool HasTelemetry,
    UsageSummary Usage,
    SessionStats Sessions,
    IReadOnlyList<Slice> ByProject,
    IReadOnlyList<Slice> ByDeveloper,
    IReadOnlyList<ToolStat> TopTools,
    int ActiveDevelopers,
    IReadOnlyList<SessionSummary> RecentSessions);

/// <summary>The overview's query set; every part reads pre-aggregated rows (daily_usage, sessions, tool_usages).</summary>
public sealed class OverviewQuery(UsageRollup rollup, ActivityQueries activity, SessionService sessions)
{
    public const int TopToolCount = 8;
    public const int RecentSessionCount = 8;
    public const string OtherDevelopers = "Other developers";

    public async Task<OverviewModel> LoadAsync(CurrentUser user, TimeRange range, CancellationToken ct = default)
    {
        // One after the other: on a small shared server, running them side by side cost more CPU than it saved time.
        var hasTelemetry = await activity.AnyTelemetryAsync(ct);
        var usage = await rollup.SummarizeAsync(UsageScope.Team, range, ct);
        var stats = await activity.SessionStatsAsync(UsageScope.Team, range, ct);
        var projects = await rollup.ByProjectAsync(UsageScope.Team, range, ct);
        var developers = await rollup.ByDeveloperAsync(UsageScope.Team, range, ct);
        var tools = await activity.TopToolsAsync(UsageScope.Team, range, TopToolCount, ct);
        var recent = await sessions.ListAsync(SessionCaller.For(user.Id, user.Roles),
            new SessionQuery(From: range.Start, To: range.End.AddTicks(-1), PageSize: RecentSessionCount), ct);

        return new OverviewModel(
            hasTelemetry,
            usage,
            stats,
            projects.OrderByDescending(p => p.CostUsd).ThenByDescending(p => p.Tokens)
                .Select(p => new Slice(p.Name, p.CostUsd, p.Tokens, $"projects/{p.ProjectId}")).ToList(),
            DeveloperSlices(developers, user),
            tools,
            developers.Count(d => d.DeveloperId.Length > 0 && (d.Tokens > 0 || d.Sessions > 0)),
            recent.Value?.Items ?? []);
    }

    /// <summary>Leads see every developer; a developer sees themselves and those who opted into the leaderboard,
    /// the rest summed as one "Other developers" slice (team figures stay whole, individuals stay private).</summary>
    public static IReadOnlyList<Slice> DeveloperSlices(IReadOnlyList<DeveloperUsage> developers, CurrentUser user)
    {
        if (user.SeesEveryone) return developers.Select(d => new Slice(d.Name, d.CostUsd, d.Tokens)).ToList();
        var slices = new List<Slice>();
        double otherCost = 0;
        long otherTokens = 0;
        foreach (var d in developers)
        {
            if (d.DeveloperId == user.Id) slices.Add(new Slice(d.Name + " (you)", d.CostUsd, d.Tokens));
            else if (d.LeaderboardOptIn) slices.Add(new Slice(d.Name, d.CostUsd, d.Tokens));
            else
            {
                otherCost += d.CostUsd;
                otherTokens += d.Tokens;
            }
        }
        if (otherCost > 0 || otherTokens > 0) slices.Add(new Slice(OtherDevelopers, otherCost, otherTokens));
        return slices.OrderByDescending(s => s.CostUsd).ToList();
    }
}
