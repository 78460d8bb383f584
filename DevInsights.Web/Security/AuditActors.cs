using DevInsights.Core.Identity;

namespace DevInsights.Web.Security;

public static class AuditActors
{
    /// <summary>The actor of a web request: the user when known, and the client address.</summary>
    public static AuditActor From(HttpContext http, AppUser? user) =>
        new(user?.Id, user?.Email ?? http.User.Identity?.Name ?? "anonymous", http.Connection.RemoteIpAddress?.ToString());
}
