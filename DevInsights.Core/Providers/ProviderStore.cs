using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Providers;

/// <summary>Idempotent storage of what the providers report: a row per (provider, bucket start, group key) is replaced by
/// a later fetch of the same bucket, never added twice; and each stream's resume point.</summary>
public sealed class ProviderStore(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Where <paramref name="stream"/> resumes, or null before its first complete bucket.</summary>
    public async Task<DateTime?> ResumePointAsync(string stream, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<ProviderSyncState>().AsNoTracking().Where(s => s.Stream == stream).Select(s => (DateTime?)s.CompleteUntil).SingleOrDefaultAsync(ct);
    }

    /// <summary>Moves the resume point forward (never back).</summary>
    public async Task AdvanceAsync(string stream, DateTime completeUntil, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var state = await db.Set<ProviderSyncState>().SingleOrDefaultAsync(s => s.Stream == stream, ct);
        if (state is null) db.Add(new ProviderSyncState { Stream = stream, CompleteUntil = completeUntil, UpdatedAt = clock.GetUtcNow().UtcDateTime });
        else if (completeUntil > state.CompleteUntil)
        {
            state.CompleteUntil = completeUntil;
            state.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Inserts new groups and replaces the figures of groups already stored. Returns (inserted, updated).</summary>
    public Task<(int Inserted, int Updated)> UpsertUsageAsync(IReadOnlyList<ProviderUsage> rows, CancellationToken ct) =>
        UpsertAsync(rows, r => (r.Provider, r.BucketStart, r.GroupKey), InBuckets<ProviderUsage>(r => (r.Provider, r.BucketStart)), (stored, fresh) =>
        {
            stored.BucketEnd = fresh.BucketEnd;
            stored.InputTokens = fresh.InputTokens;
            stored.CacheReadTokens = fresh.CacheReadTokens;
            stored.CacheWrite5mTokens = fresh.CacheWrite5mTokens;
            stored.CacheWrite1hTokens = fresh.CacheWrite1hTokens;
            stored.OutputTokens = fresh.OutputTokens;
            stored.Requests = fresh.Requests;
            stored.FetchedAt = fresh.FetchedAt;
        }, ct);

    public Task<(int Inserted, int Updated)> UpsertCostsAsync(IReadOnlyList<ProviderCost> rows, CancellationToken ct) =>
        UpsertAsync(rows, r => (r.Provider, r.BucketStart, r.GroupKey), InBuckets<ProviderCost>(r => (r.Provider, r.BucketStart)), (stored, fresh) =>
        {
            stored.BucketEnd = fresh.BucketEnd;
            stored.AmountUsd = fresh.AmountUsd;
            stored.FetchedAt = fresh.FetchedAt;
        }, ct);

    /// <summary>One row per (day, actor type, actor): a later fetch of the same day replaces its figures.</summary>
    public Task<(int Inserted, int Updated)> UpsertClaudeCodeAsync(IReadOnlyList<ClaudeCodeUsage> rows, CancellationToken ct) =>
        UpsertAsync(rows, r => (r.Day, r.ActorType, r.Actor), (set, fresh) =>
        {
            var days = fresh.Select(r => r.Day).Distinct().ToList();
            return set.Where(u => days.Contains(u.Day));
        }, (stored, fresh) =>
        {
            (stored.Sessions, stored.LinesAdded, stored.LinesRemoved, stored.Commits, stored.PullRequests) =
                (fresh.Sessions, fresh.LinesAdded, fresh.LinesRemoved, fresh.Commits, fresh.PullRequests);
            (stored.InputTokens, stored.OutputTokens, stored.CacheReadTokens, stored.CacheCreationTokens, stored.EstimatedCostUsd, stored.FetchedAt) =
                (fresh.InputTokens, fresh.OutputTokens, fresh.CacheReadTokens, fresh.CacheCreationTokens, fresh.EstimatedCostUsd, fresh.FetchedAt);
        }, ct);

    /// <summary>The stored rows of the provider and bucket starts of the fresh rows (usage and cost rows share these columns).</summary>
    private static Func<IQueryable<T>, IReadOnlyList<T>, IQueryable<T>> InBuckets<T>(Func<T, (string Provider, DateTime Start)> bucket) where T : class =>
        (set, fresh) =>
        {
            var provider = bucket(fresh[0]).Provider;
            var starts = fresh.Select(r => bucket(r).Start).Distinct().ToList();
            return set.Where(r => EF.Property<string>(r, "Provider") == provider && starts.Contains(EF.Property<DateTime>(r, "BucketStart")));
        };

    /// <param name="stored">The stored rows that may share a key with the fresh ones (a superset is fine).</param>
    private async Task<(int Inserted, int Updated)> UpsertAsync<T, TKey>(IReadOnlyList<T> rows, Func<T, TKey> key,
        Func<IQueryable<T>, IReadOnlyList<T>, IQueryable<T>> stored, Action<T, T> update, CancellationToken ct) where T : class where TKey : notnull
    {
        if (rows.Count == 0) return (0, 0);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var byKey = (await stored(db.Set<T>(), rows).ToListAsync(ct)).ToDictionary(key);
        int inserted = 0, updated = 0;
        foreach (var row in rows)
        {
            if (byKey.TryGetValue(key(row), out var existing))
            {
                update(existing, row);
                updated++;
            }
            else
            {
                db.Add(row);
                byKey[key(row)] = row;
                inserted++;
            }
        }
        await db.SaveChangesAsync(ct);
        return (inserted, updated);
    }
}
