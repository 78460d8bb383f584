using DevInsights.Core.Identity;

namespace DevInsights.Web.Security;

public static class AuditActors
{
    /// <summary>The actor of a web request: the user when known, and the client address.</summary>
    public static AuditActor From(HttpContext http, AppUser? user) =>
        new(user?.Id, user?.Email ?? http.User.Identity?.Name ?? "anonymous", http.Connection.RemoteIpAddress?.ToString());

    /// <summary>The actor of an authenticated request or circuit, from its claims.</summary>
    public static AuditActor From(CurrentUser user, string? ip) => new(user.Id, user.Name, ip);
}
