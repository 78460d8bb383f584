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
        UpsertAsync(rows, r => (r.Provider, r.BucketStart, r.GroupKey), (stored, fresh) =>
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
        UpsertAsync(rows, r => (r.Provider, r.BucketStart, r.GroupKey), (stored, fresh) =>
        {
            stored.BucketEnd = fresh.BucketEnd;
            stored.AmountUsd = fresh.AmountUsd;
            stored.FetchedAt = fresh.FetchedAt;
        }, ct);

    public async Task<(int Inserted, int Updated)> UpsertClaudeCodeAsync(IReadOnlyList<ClaudeCodeUsage> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return (0, 0);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var days = rows.Select(r => r.Day).Distinct().ToList();
        var existing = (await db.Set<ClaudeCodeUsage>().Where(u => days.Contains(u.Day)).ToListAsync(ct))
            .ToDictionary(u => (u.Day, u.ActorType, u.Actor));
        int inserted = 0, updated = 0;
        foreach (var row in rows)
        {
            if (existing.TryGetValue((row.Day, row.ActorType, row.Actor), out var stored))
            {
                (stored.Sessions, stored.LinesAdded, stored.LinesRemoved, stored.Commits, stored.PullRequests) =
                    (row.Sessions, row.LinesAdded, row.LinesRemoved, row.Commits, row.PullRequests);
                (stored.InputTokens, stored.OutputTokens, stored.CacheReadTokens, stored.CacheCreationTokens, stored.EstimatedCostUsd, stored.FetchedAt) =
                    (row.InputTokens, row.OutputTokens, row.CacheReadTokens, row.CacheCreationTokens, row.EstimatedCostUsd, row.FetchedAt);
                updated++;
            }
            else
            {
                db.Add(row);
                existing[(row.Day, row.ActorType, row.Actor)] = row;
                inserted++;
            }
        }
        await db.SaveChangesAsync(ct);
        return (inserted, updated);
    }

    private async Task<(int Inserted, int Updated)> UpsertAsync<T>(IReadOnlyList<T> rows, Func<T, (string, DateTime, string)> key,
        Action<T, T> update, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return (0, 0);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var provider = key(rows[0]).Item1;
        var starts = rows.Select(r => key(r).Item2).Distinct().ToList();
        var stored = await db.Set<T>().Where(r => EF.Property<string>(r, "Provider") == provider && starts.Contains(EF.Property<DateTime>(r, "BucketStart")))
            .ToListAsync(ct);
        var byKey = stored.ToDictionary(key);
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
