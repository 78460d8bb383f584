using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Team;

public sealed record TeamTokens(long Input, long Output, long CacheRead, long CacheCreation)
{
    public long Total => Input + Output + CacheRead + CacheCreation;
}

public sealed record TeamStats(int Days, DateTime From, DateTime To, int Sessions, int ActiveDevelopers, TeamTokens Tokens, double CostUsd, long DurationMs);

/// <summary>Per tool over the range; <see cref="SuccessRate"/> is successes over calls with a known outcome
/// (successes + errors), null when no outcome was reported.</summary>
public sealed record TeamToolStats(string Tool, long Calls, long Successes, long Errors, double? SuccessRate);

public sealed record LeaderboardEntry(int Rank, string DeveloperId, string Name, int Sessions, long Tokens, double CostUsd);

public sealed record TeamDay(DateOnly Date, int Sessions, long Tokens, double CostUsd, int ActiveDevelopers);

/// <summary>Team-wide figures over the last N days, read from the session rollups (never the event table).
/// Every developer counts in aggregates, share level None included; the leaderboard names only developers
/// who opted in. Used by /api/v1/team and the dashboard's Team page.</summary>
public sealed class TeamStatsService(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock, Rollups.RollupQueries rollups)
{
    public const int DefaultDays = 30;
    public const int MaxDays = 365;

    public static bool IsValidDays(int days) => days is >= 1 and <= MaxDays;

    public async Task<TeamStats> GetStatsAsync(int days = DefaultDays, CancellationToken ct = default)
    {
        var (from, to) = Range(days);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sessions = InRange(db, from);
        // One aggregate row; grouping by a constant is how EF translates several sums in one query.
        var totals = await sessions.GroupBy(_ => 1).Select(g => new
        {
            Sessions = g.Count(),
            Input = g.Sum(s => s.InputTokens),
            Output = g.Sum(s => s.OutputTokens),
            CacheRead = g.Sum(s => s.CacheReadTokens),
            CacheCreation = g.Sum(s => s.CacheCreationTokens),
            Cost = g.Sum(s => s.CostUsd),
            Duration = g.Sum(s => s.DurationMs),
        }).FirstOrDefaultAsync(ct);
        var developers = await sessions.Where(s => s.DeveloperId != null).Select(s => s.DeveloperId).Distinct().CountAsync(ct);
        return totals is null
            ? new TeamStats(days, from, to, 0, 0, new TeamTokens(0, 0, 0, 0), 0, 0)
            : new TeamStats(days, from, to, totals.Sessions, developers,
                new TeamTokens(totals.Input, totals.Output, totals.CacheRead, totals.CacheCreation), totals.Cost, totals.Duration);
    }

    /// <summary>Tools called in the range (by event time, at hour resolution: see <see cref="Rollups.RollupQueries"/>), most called first.</summary>
    public async Task<IReadOnlyList<TeamToolStats>> GetToolsAsync(int days = DefaultDays, CancellationToken ct = default)
    {
        var (from, to) = Range(days);
        var rows = await rollups.ToolsAsync(Rollups.RollupScope.Everyone, from, to, ct);
        return rows.Select(r => new TeamToolStats(r.Tool, r.Calls, r.Successes, r.Errors,
                r.Successes + r.Errors == 0 ? null : Math.Round((double)r.Successes / (r.Successes + r.Errors), 4)))
            .ToList();
    }

    /// <summary>Developers who opted in, by cost (then tokens) descending.</summary>
    public async Task<IReadOnlyList<LeaderboardEntry>> GetLeaderboardAsync(int days = DefaultDays, CancellationToken ct = default)
    {
        var (from, _) = Range(days);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await InRange(db, from)
            .Join(db.Users.Where(u => u.LeaderboardOptIn), s => s.DeveloperId, u => u.Id, (s, u) => new { s, u.Id, u.DisplayName, u.Email })
            .GroupBy(x => new { x.Id, x.DisplayName, x.Email })
            .Select(g => new
            {
                g.Key.Id, g.Key.DisplayName, g.Key.Email,
                Sessions = g.Count(),
                Tokens = g.Sum(x => x.s.InputTokens + x.s.OutputTokens + x.s.CacheReadTokens + x.s.CacheCreationTokens),
                Cost = g.Sum(x => x.s.CostUsd),
            })
            .ToListAsync(ct);
        // At most one row per developer: ranked here, where ties can be broken deterministically.
        return rows.OrderByDescending(r => r.Cost).ThenByDescending(r => r.Tokens).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Select((r, i) => new LeaderboardEntry(i + 1, r.Id, r.DisplayName ?? r.Email ?? r.Id, r.Sessions, r.Tokens, r.Cost))
            .ToList();
    }

    /// <summary>One entry per UTC day of the range, oldest first, days without sessions included as zeros.</summary>
    public async Task<IReadOnlyList<TeamDay>> GetTrendsAsync(int days = DefaultDays, CancellationToken ct = default)
    {
        var (from, to) = Range(days);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Day bucketing differs between SQLite and PostgreSQL in SQL; the session rows of a year are few and
        // narrow (start, owner, two sums), so they are bucketed here.
        var rows = await InRange(db, from)
            .Select(s => new { s.StartedAt, s.DeveloperId, Tokens = s.InputTokens + s.OutputTokens + s.CacheReadTokens + s.CacheCreationTokens, s.CostUsd })
            .ToListAsync(ct);
        var byDay = rows.GroupBy(r => DateOnly.FromDateTime(r.StartedAt)).ToDictionary(g => g.Key);
        var result = new List<TeamDay>(days + 1);
        for (var day = DateOnly.FromDateTime(from); day <= DateOnly.FromDateTime(to); day = day.AddDays(1))
            result.Add(byDay.TryGetValue(day, out var g)
                ? new TeamDay(day, g.Count(), g.Sum(r => r.Tokens), g.Sum(r => r.CostUsd), g.Where(r => r.DeveloperId != null).Select(r => r.DeveloperId).Distinct().Count())
                : new TeamDay(day, 0, 0, 0, 0));
        return result;
    }

    /// <summary>The last <paramref name="days"/> × 24 hours up to now.</summary>
    private (DateTime From, DateTime To) Range(int days)
    {
        if (!IsValidDays(days)) throw new ArgumentOutOfRangeException(nameof(days), days, $"Must be between 1 and {MaxDays}.");
        var to = clock.GetUtcNow().UtcDateTime;
        return (to.AddDays(-days), to);
    }

    private static IQueryable<Sessions.Session> InRange(DevInsightsDbContext db, DateTime from) =>
        db.Sessions.AsNoTracking().Where(s => s.StartedAt >= from);
}
