using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Identity;

/// <summary>One of the caller's own keys (the secret is never stored, so never listed).</summary>
public sealed record OwnKey(long Id, string Prefix, string Name, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt)
{
    public bool Active => RevokedAt is null;
}

/// <summary>A key just issued: <see cref="Secret"/> is shown once and never stored.</summary>
public sealed record IssuedOwnKey(long Id, string Secret, string Prefix, string Name);

public enum OwnKeyRevocation { Revoked, AlreadyRevoked, NotFound }

/// <summary>A developer's own API keys (/me and <c>/api/v1/me/keys</c>): list, issue, revoke. Every operation is
/// scoped to the caller: another user's key is "not found", never "forbidden", so key ids reveal nothing.</summary>
public sealed class PersonalKeys(IDbContextFactory<DevInsightsDbContext> dbFactory, ApiKeyService keys, AuditTrail audit)
{
    public const int MaxNameLength = 100;
    /// <summary>Active keys one user may hold: enough for every machine and CI job, not an unbounded pile.</summary>
    public const int MaxActiveKeys = 25;
    public const string DefaultName = "personal key";

    /// <summary>The caller's keys, newest first, revoked ones included.</summary>
    public async Task<IReadOnlyList<OwnKey>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId)
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id)
            .Select(k => new OwnKey(k.Id, k.Prefix, k.Name, k.CreatedAt, k.LastUsedAt, k.RevokedAt))
            .ToListAsync(ct);
    }

    /// <summary>Field errors keyed by the request's field names; empty when the name can be used.</summary>
    public static Dictionary<string, string[]> Validate(string? name)
    {
        var errors = new Dictionary<string, string[]>();
        if (name is null) return errors;
        if (name.Trim().Length > MaxNameLength) errors["name"] = [$"Must be at most {MaxNameLength} characters."];
        else if (name.Any(char.IsControl)) errors["name"] = ["Must not contain control characters."];
        return errors;
    }

    /// <summary>Issues a key for the caller (<paramref name="actor"/>); null when they already hold
    /// <see cref="MaxActiveKeys"/> active keys.</summary>
    /// <exception cref="ArgumentException">The name fails <see cref="Validate"/>, or the actor names no user.</exception>
    public async Task<IssuedOwnKey?> IssueAsync(AuditActor actor, string? name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Id is null) throw new ArgumentException("Only a user can hold keys.", nameof(actor));
        if (Validate(name).Count > 0) throw new ArgumentException("Invalid key name.", nameof(name));
        name = string.IsNullOrWhiteSpace(name) ? DefaultName : name.Trim();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            if (await db.ApiKeys.CountAsync(k => k.UserId == actor.Id && k.RevokedAt == null, ct) >= MaxActiveKeys) return null;
        var key = await keys.IssueAsync(actor.Id, name, ct);
        await audit.WriteAsync(actor, AuditActions.ApiKeyCreated, actor.Name, new { userId = actor.Id, keyPrefix = key.Prefix, name, self = true }, ct);
        return new IssuedOwnKey(key.Id, key.Secret, key.Prefix, name);
    }

    /// <summary>Revokes one of the caller's keys; it stops authenticating at once in this process.</summary>
    public async Task<OwnKeyRevocation> RevokeAsync(AuditActor actor, long keyId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId && k.UserId == actor.Id)
            .Select(k => new { k.Prefix, k.RevokedAt }).FirstOrDefaultAsync(ct);
        if (key is null) return OwnKeyRevocation.NotFound;
        if (key.RevokedAt is not null) return OwnKeyRevocation.AlreadyRevoked;
        // ApiKeyService forgets remembered authentications, so the key is refused from the next request on.
        if (!await keys.RevokeAsync(keyId, ct)) return OwnKeyRevocation.AlreadyRevoked;
        await audit.WriteAsync(actor, AuditActions.ApiKeyRevoked, actor.Name, new { userId = actor.Id, keyPrefix = key.Prefix, self = true }, ct);
        return OwnKeyRevocation.Revoked;
    }
}
