using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using DevInsights.Web.Components.Pages.Shared;
using DevInsights.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Web.Components.Pages.Me;

/// <summary>What a developer decides about their own data.</summary>
public sealed record MySettings(ShareLevel ShareLevel, bool LeaderboardOptIn);

public sealed record MeModel(UsageSummary Usage, SessionStats Sessions, IReadOnlyList<SessionSummary> RecentSessions, int TotalSessions, MySettings Settings);

/// <summary>The Me page: the caller's own figures and sessions, and their privacy settings (saved and audited).</summary>
public sealed class MeQuery(UsageRollup rollup, ActivityQueries activity, SessionService sessions,
    IDbContextFactory<DevInsightsDbContext> dbFactory, AuditTrail audit)
{
    public const int RecentSessionCount = 10;
    public const string SettingsChangedAction = "user.settings_changed";

    public async Task<MeModel> LoadAsync(CurrentUser user, TimeRange range, CancellationToken ct = default)
    {
        var scope = new UsageScope(DeveloperId: user.Id);
        var usage = await rollup.SummarizeAsync(scope, range, ct);
        var stats = await activity.SessionStatsAsync(scope, range, ct);
        // Leads list everyone's sessions by default: ask for the caller's own explicitly.
        var mine = await sessions.ListAsync(SessionCaller.For(user.Id, user.Roles),
            new SessionQuery(Developer: user.Id, From: range.Start, To: range.End.AddTicks(-1), PageSize: RecentSessionCount), ct);
        return new MeModel(usage, stats, mine.Value?.Items ?? [], mine.Value?.Total ?? 0, await SettingsAsync(user.Id, ct));
    }

    public async Task<MySettings> SettingsAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new MySettings(u.ShareLevel, u.LeaderboardOptIn)).SingleAsync(ct);
    }

    /// <summary>Stores the settings and writes one audit entry naming what changed (nothing is written when nothing did).</summary>
    /// <returns>True when something changed.</returns>
    public async Task<bool> SaveAsync(CurrentUser user, MySettings settings, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(settings.ShareLevel)) throw new ArgumentOutOfRangeException(nameof(settings), "Unknown share level.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Users.SingleAsync(u => u.Id == user.Id, ct);
        var before = new MySettings(row.ShareLevel, row.LeaderboardOptIn);
        if (before == settings) return false;
        row.ShareLevel = settings.ShareLevel;
        row.LeaderboardOptIn = settings.LeaderboardOptIn;
        // Saved with the change it records, in one transaction. A circuit has no HttpContext, so no IP.
        audit.Add(db, new AuditActor(user.Id, user.Name), SettingsChangedAction, row.Id, new
        {
            shareLevel = new { from = before.ShareLevel.ToString(), to = settings.ShareLevel.ToString() },
            leaderboardOptIn = new { from = before.LeaderboardOptIn, to = settings.LeaderboardOptIn },
        });
        await db.SaveChangesAsync(ct);
        return true;
    }
}
