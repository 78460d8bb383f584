using DevInsights.Core.Data;
using DevInsights.Core.Otlp.Attribution;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Identity;

/// <summary>A request the administration cannot carry out (unknown user, duplicate email, weak password...);
/// the message is meant for the operator as it is.</summary>
public sealed class UserAdministrationException(string message) : Exception(message);

public sealed record UserSummary(string Id, string Email, IReadOnlyList<string> Roles, DateTime CreatedAt, int ActiveKeys, DateTime? DisabledAt);

public sealed record CreatedUser(string Id, string Email, string Role, ApiKeyService.IssuedKey Key);

public sealed record RotatedKey(string UserId, int Revoked, ApiKeyService.IssuedKey Key);

/// <param name="AggregateRows">Rows of daily_usage, daily_costs, usage_rollups and tool_rollups that held the user.</param>
/// <param name="ProviderMappings">Provider mappings that named the user (deleted, or kept for their project only).</param>
/// <param name="Identities">Telemetry identities that were linked to the user.</param>
public sealed record DeletedUser(string Id, string Email, int Sessions, int Events, long AggregateRows, int ProviderMappings, int Identities);

/// <summary>User and key management shared by the <c>admin</c> commands and the admin pages; every change
/// leaves an <see cref="AuditLog"/> row.</summary>
public sealed partial class UserAdministration(
    UserManager<AppUser> users,
    ApiKeyService keys,
    AuditTrail audit,
    IDbContextFactory<DevInsightsDbContext> dbFactory,
    OtlpAttributor attributor,
    TimeProvider clock)
{
    /// <summary>Creates a confirmed user with one role and a first API key.</summary>
    /// <param name="password">Null leaves the user without a password (API key only until one is set); a password
    /// chosen by an administrator must be changed at the first sign-in.</param>
    public async Task<CreatedUser> CreateUserAsync(string email, string role, string? password, AuditActor actor, CancellationToken ct = default)
    {
        email = email.Trim();
        var canonicalRole = Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase))
            ?? throw new UserAdministrationException($"Unknown role '{role}': use one of {string.Join(", ", Roles.All)}.");
        if (await users.FindByEmailAsync(email) is not null)
            throw new UserAdministrationException($"A user with the email {email} already exists.");

        var user = new AppUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            MustChangePassword = password is not null,
        };
        ThrowIfFailed(password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password), "create the user");
        try
        {
            ThrowIfFailed(await users.AddToRoleAsync(user, canonicalRole), "assign the role");
            var key = await keys.IssueAsync(user.Id, "issued with the account", ct);
            await audit.WriteAsync(actor, AuditActions.UserCreated, email,
                new { userId = user.Id, role = canonicalRole, passwordSet = password is not null, keyPrefix = key.Prefix }, ct);
            return new CreatedUser(user.Id, email, canonicalRole, key);
        }
        catch
        {
            // No half-made accounts: a user without its role or key would have to be repaired by hand.
            await users.DeleteAsync(user);
            throw;
        }
    }

    /// <summary>Every user, by email, with roles and the number of keys not revoked.</summary>
    public async Task<IReadOnlyList<UserSummary>> ListUsersAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Users.AsNoTracking()
            .OrderBy(u => u.Email)
            .Select(u => new
            {
                u.Id,
                u.Email,
                u.UserName,
                u.CreatedAt,
                u.DisabledAt,
                ActiveKeys = db.ApiKeys.Count(k => k.UserId == u.Id && k.RevokedAt == null),
            })
            .ToListAsync(ct);
        var roles = (await db.UserRoles.AsNoTracking()
                .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
                .ToListAsync(ct))
            .ToLookup(x => x.UserId, x => x.Name!);
        return rows.Select(u => new UserSummary(u.Id, u.Email ?? u.UserName ?? u.Id,
                roles[u.Id].Order(StringComparer.Ordinal).ToList(), u.CreatedAt, u.ActiveKeys, u.DisabledAt))
            .ToList();
    }

    /// <summary>Issues one more key; the user's other keys keep working.</summary>
    public async Task<ApiKeyService.IssuedKey> CreateKeyAsync(string email, AuditActor actor, CancellationToken ct = default)
    {
        var user = await FindAsync(email);
        var key = await keys.IssueAsync(user.Id, "issued by an administrator", ct);
        await audit.WriteAsync(actor, AuditActions.ApiKeyCreated, user.Email, new { userId = user.Id, keyPrefix = key.Prefix }, ct);
        return key;
    }

    /// <summary>Revokes every active key of the user and issues a new one.</summary>
    public async Task<RotatedKey> RotateKeyAsync(string email, AuditActor actor, CancellationToken ct = default)
    {
        var user = await FindAsync(email);
        var revoked = await keys.RevokeAllAsync(user.Id, ct);
        var key = await keys.IssueAsync(user.Id, "rotated " + clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), ct);
        await audit.WriteAsync(actor, AuditActions.ApiKeyRotated, user.Email, new { userId = user.Id, revoked, keyPrefix = key.Prefix }, ct);
        return new RotatedKey(user.Id, revoked, key);
    }

    /// <summary>Removes the user's sessions with their events, tool usages and messages, their rows in the daily and rollup
    /// aggregates (<see cref="DeveloperData"/>), then the user with roles, logins and keys, in one transaction.</summary>
    public async Task<DeletedUser> DeleteUserAsync(string email, AuditActor actor, CancellationToken ct = default)
    {
        var user = await FindAsync(email);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await DeveloperData.LockAsync(db, user.Id, ct);
        var sessionIds = db.Sessions.Where(s => s.DeveloperId == user.Id).Select(s => s.Id);
        // Events are deleted explicitly to count them exactly; tool usages and messages go by ON DELETE CASCADE.
        var events = await db.Events.Where(e => sessionIds.Contains(e.SessionId)).ExecuteDeleteAsync(ct);
        await DeveloperData.LowerRollupWatermarkAsync(db, ct);
        var sessions = await db.Sessions.Where(s => s.DeveloperId == user.Id).ExecuteDeleteAsync(ct);
        // A writer that held one of the sessions committed before the lock above was granted: its daily upserts are deleted
        // here too. One that asks for them after finds them gone and fails its batch.
        var (aggregateRows, providerMappings, identities) = await DeveloperData.DeleteAsync(db, user.Id, ct);
        // Roles, claims, logins, tokens and API keys reference the user with ON DELETE CASCADE.
        await db.Users.Where(u => u.Id == user.Id).ExecuteDeleteAsync(ct);
        audit.Add(db, actor, AuditActions.UserDeleted, user.Email, new { userId = user.Id, sessions, events, aggregateRows, providerMappings, identities });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        keys.ForgetAuthentications();
        // Remembered attributions may name the deleted user (by a linked identity): new telemetry must not.
        attributor.ClearCache();
        return new DeletedUser(user.Id, user.Email ?? email, sessions, events, aggregateRows, providerMappings, identities);
    }

    private async Task<AppUser> FindAsync(string email) =>
        await users.FindByEmailAsync(email.Trim())
            ?? throw new UserAdministrationException($"No user has the email {email.Trim()}.");

    private static void ThrowIfFailed(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new UserAdministrationException($"Could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }
}
