using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Identity;

/// <summary>Issues, validates, rotates and revokes collector API keys. Only a SHA-256 hash is stored; the
/// secret is shown once. Keys carry 256 bits of randomness, so a fast hash is enough (no password stretching).</summary>
/// <remarks>Authentication (<see cref="AuthenticateAsync"/>) remembers a key's owner and roles for
/// <see cref="CacheLifetime"/>: collectors send a request every few seconds, and looking the key, the user and the roles
/// up each time cost more than the OTLP export itself (~2 ms CPU of three queries per request). Revoking, rotating and
/// deleting through this process forget at once; a change made by another process (the <c>admin</c> command against
/// a running server, another instance) applies within <see cref="CacheLifetime"/>.</remarks>
public sealed class ApiKeyService(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    public const string KeyPrefix = "dvi_";
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    private const int MaxCachedKeys = 10_000;

    private readonly ConcurrentDictionary<string, (AuthenticatedKey Key, DateTime At)> _authenticated = new(StringComparer.Ordinal);
    private long _generation;

    public sealed record IssuedKey(long Id, string Secret, string Prefix);

    public sealed record ValidatedKey(long KeyId, string UserId);

    /// <summary>A valid key with what authentication needs of its owner.</summary>
    public sealed record AuthenticatedKey(long KeyId, string UserId, string? Email, string? UserName, IReadOnlyList<string> Roles);

    /// <summary>The key's owner and roles, or null for an unknown, revoked or disabled-owner key; remembered for
    /// <see cref="CacheLifetime"/> (by the key's hash, never the secret).</summary>
    public async Task<AuthenticatedKey?> AuthenticateAsync(string presented, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 200) return null;
        var hash = Hash(presented);
        var now = clock.GetUtcNow().UtcDateTime;
        if (_authenticated.TryGetValue(hash, out var cached) && now - cached.At < CacheLifetime) return cached.Key;

        // A revocation while this look-up runs must not be undone by caching what it read before.
        var generation = Interlocked.Read(ref _generation);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindValidAsync(db, presented, ct) is not { } found)
        {
            _authenticated.TryRemove(hash, out _);
            return null;
        }

        var (key, email, userName) = found;

        var roles = await db.UserRoles.Where(ur => ur.UserId == key.UserId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToListAsync(ct);
        var authenticated = new AuthenticatedKey(key.KeyId, key.UserId, email, userName, roles);
        if (Interlocked.Read(ref _generation) == generation)
        {
            if (_authenticated.Count >= MaxCachedKeys) _authenticated.Clear();
            _authenticated[hash] = (authenticated, now);
        }

        return authenticated;
    }

    /// <summary>Forgets every remembered authentication: call after revoking keys or deleting or disabling users.</summary>
    public void ForgetAuthentications()
    {
        Interlocked.Increment(ref _generation);
        _authenticated.Clear();
    }

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
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var revoked = await db.ApiKeys.Where(k => k.UserId == userId && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct);
        ForgetAuthentications();
        return revoked;
    }

    public async Task<bool> RevokeAsync(long keyId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var revoked = await db.ApiKeys.Where(k => k.Id == keyId && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct) > 0;
        ForgetAuthentications();
        return revoked;
    }

    /// <summary>The key's owner, or null for an unknown, revoked or disabled-owner key.</summary>
    public async Task<ValidatedKey?> ValidateAsync(string presented, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await FindValidAsync(db, presented, ct))?.Key;
    }

    /// <summary>The key with its owner's email and user name (read in the same join), or null.</summary>
    private async Task<(ValidatedKey Key, string? Email, string? UserName)?> FindValidAsync(DevInsightsDbContext db, string presented, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 200) return null;
        var hash = Hash(presented);
        // The lookup is by hash, so timing reveals nothing about the secret; the final comparison is fixed-time anyway.
        var match = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Hash == hash && k.RevokedAt == null)
            .Join(db.Users, k => k.UserId, u => u.Id, (k, u) => new { k.Id, k.UserId, k.Hash, k.LastUsedAt, u.DisabledAt, u.Email, u.UserName })
            .FirstOrDefaultAsync(ct);
        if (match is null || match.DisabledAt is not null) return null;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(match.Hash), Encoding.ASCII.GetBytes(hash))) return null;

        // Last-used is shown to admins at minute precision; writing it on every request would contend with ingestion.
        var now = clock.GetUtcNow().UtcDateTime;
        if (match.LastUsedAt is null || now - match.LastUsedAt > TimeSpan.FromMinutes(1))
            await db.ApiKeys.Where(k => k.Id == match.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
        return (new ValidatedKey(match.Id, match.UserId), match.Email, match.UserName);
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
