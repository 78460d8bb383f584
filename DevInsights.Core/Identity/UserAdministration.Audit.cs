using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Identity;

public sealed partial class UserAdministration
{
    /// <summary>Audit rows newest first, filtered and paged in the database (indexes on timestamp and action).</summary>
    public async Task<AuditPage> QueryAuditAsync(AuditQuery query, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = db.AuditLogs.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            var action = query.Action.Trim();
            var prefix = action + ".";
            rows = rows.Where(a => a.Action == action || a.Action.StartsWith(prefix));
        }
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var actor = query.Actor.Trim();
            rows = rows.Where(a => a.ActorName != null && a.ActorName.Contains(actor));
        }
        if (query.From is { } from) rows = rows.Where(a => a.Timestamp >= from);
        if (query.To is { } to) rows = rows.Where(a => a.Timestamp <= to);
        var total = await rows.CountAsync(ct);
        var items = await rows.OrderByDescending(a => a.Timestamp).ThenByDescending(a => a.Id)
            .Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxPageSize))
            .Select(a => new AuditRow(a.Id, a.Timestamp, a.ActorId, a.ActorName, a.Action, a.Target, a.DetailsJson, a.Ip))
            .ToListAsync(ct);
        return new AuditPage(items, total);
    }

    /// <summary>The distinct actions recorded so far, for the filter list.</summary>
    public async Task<IReadOnlyList<string>> ListAuditActionsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AuditLogs.AsNoTracking().Select(a => a.Action).Distinct().OrderBy(a => a).ToListAsync(ct);
    }
}
