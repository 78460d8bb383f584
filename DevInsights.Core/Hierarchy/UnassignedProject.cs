using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Hierarchy;

/// <summary>The catch-all project (<see cref="Project.UnassignedKey"/>) for telemetry that names no repository
/// yet: created on first use, idempotently (several requests or instances may race), and its id cached.</summary>
public sealed class UnassignedProject(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    public const string DisplayName = "Unassigned";

    private long _id;

    public async ValueTask<long> GetIdAsync(CancellationToken ct = default)
    {
        var cached = Interlocked.Read(ref _id);
        if (cached != 0) return cached;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        // ON CONFLICT DO NOTHING: the unique key makes a concurrent creator's row win, and both read the same id.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO projects (key, name, full_name, created_at, last_activity_at) VALUES ({Project.UnassignedKey}, {DisplayName}, {DisplayName}, {now}, {now}) ON CONFLICT (key) DO NOTHING",
            ct);
        var id = await db.Projects.AsNoTracking().Where(p => p.Key == Project.UnassignedKey).Select(p => p.Id).SingleAsync(ct);
        Interlocked.Exchange(ref _id, id);
        return id;
    }

    /// <summary>Call after deleting the project, so the next call creates it again.</summary>
    public void Forget() => Interlocked.Exchange(ref _id, 0);
}
