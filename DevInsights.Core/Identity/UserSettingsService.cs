using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Identity;

/// <summary>A user's own profile and privacy settings.</summary>
public sealed record UserProfile(string Id, string? Email, string? DisplayName, ShareLevel ShareLevel, bool LeaderboardOptIn);

/// <summary>Reads and changes the signed-in user's own settings (share level, leaderboard, display name);
/// used by <c>/api/v1/me</c> and the /me page. A new share level applies to data stored from now on.</summary>
public sealed class UserSettingsService(IDbContextFactory<DevInsightsDbContext> dbFactory, AuditTrail audit)
{
    public const int MaxDisplayNameLength = 100;

    public async Task<UserProfile?> GetAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new UserProfile(u.Id, u.Email, u.DisplayName, u.ShareLevel, u.LeaderboardOptIn))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>Field errors keyed by the request's field names; empty when the values can be saved.</summary>
    public static Dictionary<string, string[]> Validate(string? displayName)
    {
        var errors = new Dictionary<string, string[]>();
        if (displayName is not null && displayName.Trim().Length > MaxDisplayNameLength)
            errors["displayName"] = [$"Must be at most {MaxDisplayNameLength} characters."];
        else if (displayName is not null && displayName.Any(char.IsControl))
            errors["displayName"] = ["Must not contain control characters."];
        return errors;
    }

    /// <summary>Saves the settings and audits what changed; null when the user does not exist.</summary>
    /// <exception cref="ArgumentException">The display name fails <see cref="Validate"/>.</exception>
    public async Task<UserProfile?> UpdateAsync(string userId, ShareLevel shareLevel, bool leaderboardOptIn, string? displayName,
        AuditActor actor, CancellationToken ct = default)
    {
        if (Validate(displayName).Count > 0) throw new ArgumentException("Invalid display name.", nameof(displayName));
        displayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null) return null;
        var before = new { shareLevel = user.ShareLevel.ToString().ToLowerInvariant(), leaderboardOptIn = user.LeaderboardOptIn, displayName = user.DisplayName };
        user.ShareLevel = shareLevel;
        user.LeaderboardOptIn = leaderboardOptIn;
        user.DisplayName = displayName;
        var after = new { shareLevel = shareLevel.ToString().ToLowerInvariant(), leaderboardOptIn, displayName };
        if (before != after)
        {
            audit.Add(db, actor, AuditActions.SettingsChanged, user.Email, new { userId, before, after });
            await db.SaveChangesAsync(ct);
        }
        return new UserProfile(user.Id, user.Email, user.DisplayName, user.ShareLevel, user.LeaderboardOptIn);
    }
}
