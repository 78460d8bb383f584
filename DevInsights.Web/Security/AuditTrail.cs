using System.Text.Json;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Web.Security;

/// <summary>Writes audit_logs rows for security-relevant actions (logins, key changes, deletions, settings).</summary>
public sealed class AuditTrail(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    public async Task WriteAsync(string action, string? target, AppUser? actor, HttpContext? http, object? details = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        db.AuditLogs.Add(new AuditLog
        {
            Timestamp = clock.GetUtcNow().UtcDateTime,
            Action = action,
            Target = target,
            ActorId = actor?.Id,
            ActorName = actor?.Email,
            Ip = http?.Connection.RemoteIpAddress?.ToString(),
            DetailsJson = details is null ? null : JsonSerializer.Serialize(details),
        });
        await db.SaveChangesAsync();
    }
}
