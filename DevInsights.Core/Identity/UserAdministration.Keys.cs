using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Identity;

public sealed partial class UserAdministration
{
    /// <summary>Keys newest first, with their owner; <paramref name="userId"/> narrows to one user.</summary>
    public async Task<IReadOnlyList<KeyRow>> ListKeysAsync(string? userId = null, bool includeRevoked = true, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = db.ApiKeys.AsNoTracking();
        if (userId is not null) keys = keys.Where(k => k.UserId == userId);
        if (!includeRevoked) keys = keys.Where(k => k.RevokedAt == null);
        return await keys.Join(db.Users, k => k.UserId, u => u.Id, (k, u) => new { k, u.Email, u.UserName })
            .OrderByDescending(x => x.k.CreatedAt).ThenByDescending(x => x.k.Id)
            .Select(x => new KeyRow(x.k.Id, x.k.Prefix, x.k.Name, x.k.UserId, x.Email ?? x.UserName ?? x.k.UserId,
                x.k.CreatedAt, x.k.LastUsedAt, x.k.RevokedAt))
            .ToListAsync(ct);
    }

    /// <summary>Issues a key for the user; the other keys keep working.</summary>
    public async Task<IssuedKeyFor> IssueKeyForAsync(string userId, string? name, AuditActor actor, CancellationToken ct = default)
    {
        var user = await FindByIdAsync(userId);
        name = string.IsNullOrWhiteSpace(name) ? "issued by an administrator" : name.Trim();
        if (name.Length > 100) throw new UserAdministrationException("The key name must be at most 100 characters.");
        var key = await keys.IssueAsync(user.Id, name, ct);
        await audit.WriteAsync(actor, AuditActions.ApiKeyCreated, user.Email, new { userId = user.Id, keyPrefix = key.Prefix, name }, ct);
        return new IssuedKeyFor(key.Id, key.Secret, key.Prefix, user.Id, user.Email ?? user.Id);
    }

    /// <summary>Revokes one key; false when it was already revoked.</summary>
    public async Task<bool> RevokeKeyAsync(long keyId, AuditActor actor, CancellationToken ct = default)
    {
        var key = await FindKeyAsync(keyId, ct);
        if (!await keys.RevokeAsync(keyId, ct)) return false;
        await audit.WriteAsync(actor, AuditActions.ApiKeyRevoked, key.OwnerEmail, new { userId = key.UserId, keyPrefix = key.Prefix }, ct);
        return true;
    }

    /// <summary>Replaces one key: revokes it and issues a new one of the same name for the same owner.</summary>
    public async Task<IssuedKeyFor> RotateKeyAsync(long keyId, AuditActor actor, CancellationToken ct = default)
    {
        var old = await FindKeyAsync(keyId, ct);
        if (old.RevokedAt is not null) throw new UserAdministrationException($"The key {old.Prefix}… is already revoked; issue a new one instead.");
        await keys.RevokeAsync(keyId, ct);
        var key = await keys.IssueAsync(old.UserId, old.Name, ct);
        await audit.WriteAsync(actor, AuditActions.ApiKeyRotated, old.OwnerEmail,
            new { userId = old.UserId, revokedPrefix = old.Prefix, keyPrefix = key.Prefix }, ct);
        return new IssuedKeyFor(key.Id, key.Secret, key.Prefix, old.UserId, old.OwnerEmail);
    }

    private async Task<KeyRow> FindKeyAsync(long keyId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId)
                .Join(db.Users, k => k.UserId, u => u.Id, (k, u) => new KeyRow(k.Id, k.Prefix, k.Name, k.UserId,
                    u.Email ?? u.UserName ?? k.UserId, k.CreatedAt, k.LastUsedAt, k.RevokedAt))
                .FirstOrDefaultAsync(ct)
            ?? throw new UserAdministrationException("No such key (it may have been deleted with its user).");
    }
}
