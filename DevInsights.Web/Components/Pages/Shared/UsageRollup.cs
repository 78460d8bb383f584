using DevInsights.Core.Dashboard;
using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Web.Components.Pages.Shared;

/// <summary>Which rollup rows a view sums: the whole team, one project, or one developer.</summary>
public sealed record UsageScope(long? ProjectId = null, string? DeveloperId = null)
{
    public static readonly UsageScope Team = new();
}

/// <summary>The sums of a set of rollup rows.</summary>
public sealed record UsageTotals(
    long Events, long ApiRequests, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheCreationTokens,
    double CostUsd, long ToolCalls, long ToolErrors, long SessionsStarted)
{
    public static readonly UsageTotals Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public long Tokens => InputTokens + OutputTokens + CacheReadTokens + CacheCreationTokens;

    /// <summary>Share of prompt tokens served from the cache: cacheRead / (input + cacheRead + cacheCreation); null without any.</summary>
    public double? CacheHitRatio
    {
        get
        {
            var prompt = InputTokens + CacheReadTokens + CacheCreationTokens;
            return prompt == 0 ? null : (double)CacheReadTokens / prompt;
        }
    }

    public UsageTotals Add(UsageTotals o) => new(
        Events + o.Events, ApiRequests + o.ApiRequests, InputTokens + o.InputTokens, OutputTokens + o.OutputTokens,
        CacheReadTokens + o.CacheReadTokens, CacheCreationTokens + o.CacheCreationTokens, CostUsd + o.CostUsd,
        ToolCalls + o.ToolCalls, ToolErrors + o.ToolErrors, SessionsStarted + o.SessionsStarted);
}

/// <summary>One (day, client, model) cell of the rollup, summed over projects and developers.</summary>
public sealed record UsageCell(DateOnly Day, string Client, string Model, UsageTotals Totals);

/// <summary>One bar of a stacked per-day chart.</summary>
public sealed record DayValue(string Day, double Value);

/// <summary>One stacked series: a model or a client, with a value for every day of the range (zeros included,
/// so stacks line up).</summary>
public sealed record DaySeries(string Name, IReadOnlyList<DayValue> Tokens, IReadOnlyList<DayValue> Cost);

/// <summary>One slice of a breakdown.</summary>
public sealed record Slice(string Label, double CostUsd, long Tokens, string? Link = null);

/// <summary>What a set of rollup rows says about a range: totals, per-day series stacked by model or by client,
/// and the cost per model and per client.</summary>
public sealed class UsageSummary(TimeRange range, IReadOnlyList<UsageCell> cells)
{
    /// <summary>Series beyond this many are folded into "other": a chart with 15 colours reads as noise.</summary>
    public const int MaxSeries = 6;

    public TimeRange Range { get; } = range;
    public IReadOnlyList<UsageCell> Cells { get; } = cells;
    public UsageTotals Totals { get; } = cells.Aggregate(UsageTotals.Zero, (sum, c) => sum.Add(c.Totals));
    public bool IsEmpty => Totals.Events == 0 && Totals.SessionsStarted == 0;

    public IReadOnlyList<DaySeries> SeriesBy(UsageDimension dimension)
    {
        var key = KeyOf(dimension);
        var top = Cells.GroupBy(key).OrderByDescending(g => g.Sum(c => c.Totals.Tokens)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key).ToList();
        var kept = top.Take(top.Count > MaxSeries ? MaxSeries - 1 : MaxSeries).ToHashSet(StringComparer.Ordinal);
        string Name(UsageCell c) => kept.Contains(key(c)) ? key(c) : "other";
        return Cells.Where(c => c.Totals.Tokens > 0 || c.Totals.CostUsd > 0).GroupBy(Name)
            .OrderBy(g => g.Key == "other" ? int.MaxValue : top.IndexOf(g.Key))
            .Select(g =>
            {
                var byDay = g.GroupBy(c => c.Day).ToDictionary(d => d.Key, d => d.Aggregate(UsageTotals.Zero, (s, c) => s.Add(c.Totals)));
                var days = Range.Days.Select(d => (Label: Format.Day(d), Totals: byDay.GetValueOrDefault(d, UsageTotals.Zero))).ToList();
                return new DaySeries(g.Key,
                    days.Select(d => new DayValue(d.Label, d.Totals.Tokens)).ToList(),
                    days.Select(d => new DayValue(d.Label, Math.Round(d.Totals.CostUsd, 4))).ToList());
            })
            .ToList();
    }

    public IReadOnlyList<Slice> SlicesBy(UsageDimension dimension) =>
        Cells.GroupBy(KeyOf(dimension))
            .Select(g => new Slice(g.Key, g.Sum(c => c.Totals.CostUsd), g.Sum(c => c.Totals.Tokens)))
            .Where(s => s.Tokens > 0 || s.CostUsd > 0)
            .OrderByDescending(s => s.CostUsd).ThenByDescending(s => s.Tokens).ThenBy(s => s.Label, StringComparer.Ordinal)
            .ToList();

    /// <summary>Totals per day, every day of the range.</summary>
    public IReadOnlyList<(DateOnly Day, UsageTotals Totals)> Daily()
    {
        var byDay = Cells.GroupBy(c => c.Day).ToDictionary(g => g.Key, g => g.Aggregate(UsageTotals.Zero, (s, c) => s.Add(c.Totals)));
        return Range.Days.Select(d => (d, byDay.GetValueOrDefault(d, UsageTotals.Zero))).ToList();
    }

    private static Func<UsageCell, string> KeyOf(UsageDimension dimension) => dimension switch
    {
        UsageDimension.Client => c => c.Client,
        _ => c => c.Model.Length == 0 ? "(no model)" : c.Model,
    };
}

public enum UsageDimension { Model, Client }

/// <summary>Reads the <c>daily_usage</c> rollup: one grouped query per view, never the event table.</summary>
public sealed class UsageRollup(IDbContextFactory<DevInsightsDbContext> dbFactory)
{
    public async Task<UsageSummary> SummarizeAsync(UsageScope scope, TimeRange range, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cells = await Rows(db, scope, range)
            .GroupBy(d => new { d.Day, d.Client, d.Model })
            .Select(g => new
            {
                g.Key.Day, g.Key.Client, g.Key.Model,
                Events = g.Sum(d => d.Events), ApiRequests = g.Sum(d => d.ApiRequests),
                Input = g.Sum(d => d.InputTokens), Output = g.Sum(d => d.OutputTokens),
                CacheRead = g.Sum(d => d.CacheReadTokens), CacheCreation = g.Sum(d => d.CacheCreationTokens),
                Cost = g.Sum(d => d.CostUsd), ToolCalls = g.Sum(d => d.ToolCalls), ToolErrors = g.Sum(d => d.ToolErrors),
                Sessions = g.Sum(d => d.SessionsStarted),
            })
            .ToListAsync(ct);
        return new UsageSummary(range, cells
            .Select(c => new UsageCell(c.Day, c.Client, c.Model, new UsageTotals(c.Events, c.ApiRequests, c.Input, c.Output,
                c.CacheRead, c.CacheCreation, c.Cost, c.ToolCalls, c.ToolErrors, c.Sessions)))
            .OrderBy(c => c.Day).ThenBy(c => c.Client, StringComparer.Ordinal).ThenBy(c => c.Model, StringComparer.Ordinal)
            .ToList());
    }

    /// <summary>Cost and tokens per project in the range, with the project's name.</summary>
    public async Task<IReadOnlyList<(long ProjectId, string Name, double CostUsd, long Tokens, long Events)>> ByProjectAsync(
        UsageScope scope, TimeRange range, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await (
            from g in Rows(db, scope, range).GroupBy(d => d.ProjectId).Select(g => new
            {
                ProjectId = g.Key,
                Cost = g.Sum(d => d.CostUsd),
                Tokens = g.Sum(d => d.InputTokens + d.OutputTokens + d.CacheReadTokens + d.CacheCreationTokens),
                Events = g.Sum(d => d.Events),
            })
            join p in db.Projects on g.ProjectId equals p.Id
            select new { g.ProjectId, p.Name, g.Cost, g.Tokens, g.Events }).ToListAsync(ct);
        return rows.Select(r => (r.ProjectId, r.Name, r.Cost, r.Tokens, r.Events)).ToList();
    }

    /// <summary>Cost, tokens and active days per developer ('' is telemetry no developer claims).</summary>
    public async Task<IReadOnlyList<DeveloperUsage>> ByDeveloperAsync(UsageScope scope, TimeRange range, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sums = await Rows(db, scope, range).GroupBy(d => d.DeveloperId).Select(g => new
        {
            DeveloperId = g.Key,
            Cost = g.Sum(d => d.CostUsd),
            Tokens = g.Sum(d => d.InputTokens + d.OutputTokens + d.CacheReadTokens + d.CacheCreationTokens),
            Sessions = g.Sum(d => d.SessionsStarted),
            ToolCalls = g.Sum(d => d.ToolCalls),
            ToolErrors = g.Sum(d => d.ToolErrors),
        }).ToListAsync(ct);
        var ids = sums.Select(s => s.DeveloperId).Where(id => id.Length > 0).ToList();
        var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.DisplayName ?? u.Email ?? u.UserName, u.LeaderboardOptIn }).ToDictionaryAsync(u => u.Id, ct);
        return sums.Select(s => new DeveloperUsage(s.DeveloperId,
                users.TryGetValue(s.DeveloperId, out var u) ? u.Name ?? s.DeveloperId : s.DeveloperId.Length == 0 ? "(unattributed)" : "(deleted user)",
                users.TryGetValue(s.DeveloperId, out var v) && v.LeaderboardOptIn,
                s.Cost, s.Tokens, s.Sessions, s.ToolCalls, s.ToolErrors))
            .OrderByDescending(d => d.CostUsd).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    private static IQueryable<DailyUsage> Rows(DevInsightsDbContext db, UsageScope scope, TimeRange range)
    {
        var rows = db.DailyUsage.AsNoTracking().Where(d => d.Day >= range.From && d.Day <= range.To);
        if (scope.ProjectId is { } projectId) rows = rows.Where(d => d.ProjectId == projectId);
        if (scope.DeveloperId is { } developerId) rows = rows.Where(d => d.DeveloperId == developerId);
        return rows;
    }
}

/// <summary>One developer's figures in a range.</summary>
public sealed record DeveloperUsage(
    string DeveloperId, string Name, bool LeaderboardOptIn, double CostUsd, long Tokens, long Sessions, long ToolCalls, long ToolErrors);
