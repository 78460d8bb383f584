using System.Collections.Concurrent;

namespace DevInsights.Core.Identity;

/// <summary>Keys validated in the last <see cref="Lifetime"/>, by hash, so that a collector posting every second
/// costs no database round trip to authenticate. Only valid keys are kept (an unknown key always reaches the
/// database, so guessing cannot fill the cache).</summary>
/// <remarks>
/// Changes made through this process (revoke, rotate, delete a user) drop the affected entries at once. A change
/// made elsewhere — another instance behind a load balancer, or the <c>admin</c> command run as its own process —
/// reaches this process within <see cref="Lifetime"/>, when the entry expires.
/// <para>A validation that read the database before a change but finishes after it must not put the old answer
/// back: every change bumps a generation, and an entry is only added when the generation read before the query
/// is still current.</para>
/// </remarks>
internal sealed class ValidatedKeyCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>Beyond this many keys the cache starts over; a miss costs one query.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>Read before querying the database, and passed to <see cref="Add"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public ApiKeyService.ValidatedKey? Get(string hash)
    {
        if (!_entries.TryGetValue(hash, out var entry)) return null;
        if (entry.ExpiresAt > clock.GetUtcNow()) return entry.Key;
        _entries.TryRemove(KeyValuePair.Create(hash, entry));
        return null;
    }

    public void Add(string hash, ApiKeyService.ValidatedKey key, long generation)
    {
        if (_entries.Count >= Capacity) _entries.Clear();
        _entries[hash] = new Entry(key, clock.GetUtcNow() + Lifetime);
        // A change that happened meanwhile may have missed this entry: take it out again.
        if (Generation != generation) _entries.TryRemove(hash, out _);
    }

    /// <summary>Drops the entries of one key; call after the change is committed.</summary>
    public void ForgetKey(long keyId) => Forget(e => e.Key.KeyId == keyId);

    /// <summary>Drops the entries of every key of one user; call after the change is committed.</summary>
    public void ForgetUser(string userId) => Forget(e => e.Key.UserId == userId);

    private void Forget(Func<Entry, bool> affected)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (hash, entry) in _entries)
            if (affected(entry)) _entries.TryRemove(KeyValuePair.Create(hash, entry));
    }

    private sealed record Entry(ApiKeyService.ValidatedKey Key, DateTimeOffset ExpiresAt);
}
