using System.Text.Json;
using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Identity;

/// <summary>Who acted: a signed-in user (pages), or the operator at the command line.</summary>
public sealed record AuditActor(string? Id, string Name, string? Ip = null)
{
    /// <summary>The operator running <c>admin</c> commands on the server; the OS account is all we know of them.</summary>
    public static AuditActor CommandLine() => new(null, "cli:" + Environment.UserName);
}

/// <summary>The <c>audit_logs</c> action names; dotted so the log can be filtered by prefix.</summary>
public static class AuditActions
{
    public const string UserCreated = "user.created";
    public const string UserDeleted = "user.deleted";
    public const string ApiKeyCreated = "apikey.created";
    public const string ApiKeyRotated = "apikey.rotated";
    public const string ApiKeyRevoked = "apikey.revoked";
    public const string UserRolesChanged = "user.roles_changed";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string SettingsChanged = "user.settings_changed";
    public const string Login = "login";
    public const string LoginFailed = "login.failed";
    public const string LoginLocked = "login.locked";
    public const string Logout = "logout";
    public const string PasswordChanged = "password.changed";
    public const string SetupAdminCreated = "setup.admin_created";
}

/// <summary>Writes <see cref="AuditLog"/> rows.</summary>
public sealed class AuditTrail(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Adds the row to <paramref name="db"/>, to be saved with the change it records (one transaction,
    /// and on SQLite no second writer waiting for the first one's lock).</summary>
    public void Add(DevInsightsDbContext db, AuditActor actor, string action, string? target, object? details = null) =>
        db.AuditLogs.Add(new AuditLog
        {
            Timestamp = clock.GetUtcNow().UtcDateTime,
            ActorId = actor.Id,
            ActorName = actor.Name,
            Action = action,
            Target = target,
            DetailsJson = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
            Ip = actor.Ip,
        });

    /// <summary>Records an action that has already been saved by other means.</summary>
    public async Task WriteAsync(AuditActor actor, string action, string? target, object? details = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        Add(db, actor, action, target, details);
        await db.SaveChangesAsync(ct);
    }
}
