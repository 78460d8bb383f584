using System.Security.Cryptography;
using System.Text;
using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Identity;

/// <summary>Issues, validates, rotates and revokes collector API keys. Only a SHA-256 hash is stored; the
/// secret is shown once. Keys carry 256 bits of randomness, so a fast hash is enough (no password stretching).</summary>
/// <remarks>A validated key, with its owner's name and roles, is remembered for
/// <see cref="ValidatedKeyCache.Lifetime"/> (30 s): authenticating a request then costs no query. Revoking, rotating
/// and <see cref="ForgetUser"/> take effect in this process at the next request; in other processes (other
/// instances, the <c>admin</c> command run on its own) within those 30 s.</remarks>
public sealed class ApiKeyService(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    public const string KeyPrefix = "dvi_";

    private readonly ValidatedKeyCache _cache = new(clock);

    public sealed record IssuedKey(long Id, string Secret, string Prefix);

    /// <summary>A valid key and what authentication needs of its owner.</summary>
    public sealed record ValidatedKey(long KeyId, string UserId, string? UserName, string? Email, IReadOnlyList<string> Roles);

    public async Task<IssuedKey> IssueAsync(string userId, string name, CancellationToken ct = default)
    {
        var secret = KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKey
        {
            UserId = userId,
            Name = name,
            Prefix = secret[..12],
            Hash = Hash(secret),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return new IssuedKey(key.Id, secret, key.Prefix);
    }

    /// <summary>Revokes every active key of the user and issues a new one.</summary>
    public async Task<IssuedKey> RotateAsync(string userId, CancellationToken ct = default)
    {
        await RevokeAllAsync(userId, ct);
        return await IssueAsync(userId, "rotated " + clock.GetUtcNow().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), ct);
    }

    public async Task<int> RevokeAllAsync(string userId, CancellationToken ct = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            return await db.ApiKeys.Where(k => k.UserId == userId && k.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct);
        }
        finally
        {
            // After the update (committed or not): a validation racing it must not re-cache the old answer.
            _cache.ForgetUser(userId);
        }
    }

    public async Task<bool> RevokeAsync(long keyId, CancellationToken ct = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            return await db.ApiKeys.Where(k => k.Id == keyId && k.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct) > 0;
        }
        finally
        {
            _cache.ForgetKey(keyId);
        }
    }

    /// <summary>Makes the next request with any of the user's keys read the database again. Call it after a change
    /// that authentication depends on, once committed: deleting or disabling the user, changing their roles.</summary>
    public void ForgetUser(string userId) => _cache.ForgetUser(userId);

    /// <summary>The key's owner, or null for an unknown, revoked or disabled-owner key.</summary>
    public async Task<ValidatedKey?> ValidateAsync(string presented, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 200) return null;
        var hash = Hash(presented);
        if (_cache.Get(hash) is { } cached) return cached;
        var generation = _cache.Generation;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The lookup is by hash, so timing reveals nothing about the secret; the final comparison is fixed-time anyway.
        var match = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Hash == hash && k.RevokedAt == null)
            .Join(db.Users, k => k.UserId, u => u.Id, (k, u) => new { k.Id, k.UserId, k.Hash, k.LastUsedAt, u.DisabledAt, u.UserName, u.Email })
            .FirstOrDefaultAsync(ct);
        if (match is null || match.DisabledAt is not null) return null;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(match.Hash), Encoding.ASCII.GetBytes(hash))) return null;
        var roles = await db.UserRoles.Where(ur => ur.UserId == match.UserId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToListAsync(ct);

        // Last-used is shown to admins at minute precision; writing it on every request would contend with ingestion.
        // A cached key is checked again when its entry expires, well within that minute.
        var now = clock.GetUtcNow().UtcDateTime;
        if (match.LastUsedAt is null || now - match.LastUsedAt > TimeSpan.FromMinutes(1))
            await db.ApiKeys.Where(k => k.Id == match.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
        var key = new ValidatedKey(match.Id, match.UserId, match.UserName, match.Email, roles);
        _cache.Add(hash, key, generation);
        return key;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
