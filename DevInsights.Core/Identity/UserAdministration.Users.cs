using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Identity;

public sealed partial class UserAdministration
{
    public const int MaxPageSize = 200;

    /// <summary>One page of users, filtered, sorted and cut in the database; roles are read for that page only.</summary>
    public async Task<UserPage> QueryUsersAsync(UserQuery query, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Identity stores upper-cased emails for look-ups; display names are matched as typed on both providers.
            var upper = query.Search.Trim().ToUpperInvariant();
            var raw = query.Search.Trim();
            users = users.Where(u => (u.NormalizedEmail != null && u.NormalizedEmail.Contains(upper))
                || (u.DisplayName != null && u.DisplayName.Contains(raw)));
        }
        var total = await users.CountAsync(ct);
        var ordered = (query.Sort, query.Descending) switch
        {
            (UserSort.Created, false) => users.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id),
            (UserSort.Created, true) => users.OrderByDescending(u => u.CreatedAt).ThenBy(u => u.Id),
            (UserSort.Disabled, false) => users.OrderBy(u => u.DisabledAt).ThenBy(u => u.NormalizedEmail),
            (UserSort.Disabled, true) => users.OrderByDescending(u => u.DisabledAt).ThenBy(u => u.NormalizedEmail),
            (_, false) => users.OrderBy(u => u.NormalizedEmail),
            (_, true) => users.OrderByDescending(u => u.NormalizedEmail),
        };
        var rows = await ordered.Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxPageSize))
            .Select(u => new
            {
                u.Id, u.Email, u.UserName, u.DisplayName, u.CreatedAt, u.DisabledAt, u.ShareLevel, u.MustChangePassword,
                ActiveKeys = db.ApiKeys.Count(k => k.UserId == u.Id && k.RevokedAt == null),
            })
            .ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var roles = (await db.UserRoles.AsNoTracking().Where(ur => ids.Contains(ur.UserId))
                .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
                .ToListAsync(ct))
            .ToLookup(x => x.UserId, x => x.Name!);
        return new UserPage(rows.Select(u => new UserRow(u.Id, u.Email ?? u.UserName ?? u.Id, u.DisplayName,
            roles[u.Id].Order(StringComparer.Ordinal).ToList(), u.CreatedAt, u.DisabledAt, u.ActiveKeys, u.ShareLevel,
            u.MustChangePassword)).ToList(), total);
    }

    /// <summary>Replaces the user's roles. An administrator cannot take the Admin role from themself, so
    /// that nobody locks the last way in by accident.</summary>
    public async Task SetRolesAsync(string userId, IReadOnlyCollection<string> roles, AuditActor actor, CancellationToken ct = default)
    {
        var user = await FindByIdAsync(userId);
        var wanted = new List<string>();
        foreach (var role in roles)
            wanted.Add(Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase))
                ?? throw new UserAdministrationException($"Unknown role '{role}': use one of {string.Join(", ", Roles.All)}."));
        wanted = wanted.Distinct().ToList();
        if (wanted.Count == 0) throw new UserAdministrationException("A user needs at least one role.");
        if (actor.Id == user.Id && !wanted.Contains(Roles.Admin))
            throw new UserAdministrationException("You cannot remove your own Admin role.");

        var current = await users.GetRolesAsync(user);
        var removed = current.Except(wanted).ToList();
        var added = wanted.Except(current).ToList();
        if (removed.Count == 0 && added.Count == 0) return;
        if (removed.Count > 0) ThrowIfFailed(await users.RemoveFromRolesAsync(user, removed), "remove roles");
        if (added.Count > 0) ThrowIfFailed(await users.AddToRolesAsync(user, added), "add roles");
        // Signed-in sessions pick up the new roles at the next security-stamp check instead of keeping the old ones.
        await users.UpdateSecurityStampAsync(user);
        // Authenticated keys carry their owner's roles: forget them so the next request reads the new ones.
        keys.ForgetAuthentications();
        await audit.WriteAsync(actor, AuditActions.UserRolesChanged, user.Email,
            new { userId = user.Id, roles = wanted.Order(StringComparer.Ordinal).ToList(), added, removed }, ct);
    }

    /// <summary>Disables sign-in and every API key of the user (keys are refused while the owner is disabled);
    /// their data stays.</summary>
    public async Task DisableAsync(string userId, AuditActor actor, CancellationToken ct = default)
    {
        var user = await FindByIdAsync(userId);
        if (actor.Id == user.Id) throw new UserAdministrationException("You cannot disable your own account.");
        if (user.DisabledAt is not null) return;
        user.DisabledAt = clock.GetUtcNow().UtcDateTime;
        ThrowIfFailed(await users.UpdateAsync(user), "disable the user");
        // A new stamp invalidates the cookies of open browser sessions.
        await users.UpdateSecurityStampAsync(user);
        keys.ForgetAuthentications();
        await audit.WriteAsync(actor, AuditActions.UserDisabled, user.Email, new { userId = user.Id }, ct);
    }

    public async Task EnableAsync(string userId, AuditActor actor, CancellationToken ct = default)
    {
        var user = await FindByIdAsync(userId);
        if (user.DisabledAt is null) return;
        user.DisabledAt = null;
        ThrowIfFailed(await users.UpdateAsync(user), "enable the user");
        await audit.WriteAsync(actor, AuditActions.UserEnabled, user.Email, new { userId = user.Id }, ct);
    }

    /// <summary>Counts what <see cref="DeleteUserAsync"/> would remove, for the confirmation dialog.</summary>
    public async Task<DeletionPreview> PreviewDeletionAsync(string userId, CancellationToken ct = default)
    {
        var user = await FindByIdAsync(userId);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sessionIds = db.Sessions.Where(s => s.DeveloperId == user.Id).Select(s => s.Id);
        var sessions = await db.Sessions.CountAsync(s => s.DeveloperId == user.Id, ct);
        var events = await db.Events.LongCountAsync(e => sessionIds.Contains(e.SessionId), ct);
        var keys = await db.ApiKeys.CountAsync(k => k.UserId == user.Id, ct);
        var aggregateRows = await DeveloperData.CountAggregateRowsAsync(db, user.Id, ct);
        var mappings = await DeveloperData.CountProviderMappingsAsync(db, user.Id, ct);
        var identities = await DeveloperData.CountIdentitiesAsync(db, user.Id, ct);
        return new DeletionPreview(user.Id, user.Email ?? user.Id, sessions, events, keys, aggregateRows, mappings, identities);
    }

    private async Task<AppUser> FindByIdAsync(string userId) =>
        await users.FindByIdAsync(userId) ?? throw new UserAdministrationException("No such user (it may have been deleted).");
}
