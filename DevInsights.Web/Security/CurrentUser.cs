using System.Security.Claims;
using DevInsights.Core.Identity;

namespace DevInsights.Web.Security;

/// <summary>Who is asking, as the services see it: the same checks serve the API and the pages.</summary>
public sealed record CurrentUser(string Id, string Name, IReadOnlySet<string> Roles)
{
    public bool IsAdmin => Roles.Contains(Core.Identity.Roles.Admin);
    public bool IsTeamLead => Roles.Contains(Core.Identity.Roles.TeamLead);
    /// <summary>Admins and team leads see every developer's metadata.</summary>
    public bool SeesEveryone => IsAdmin || IsTeamLead;

    /// <summary>The caller of an endpoint that requires authentication.</summary>
    public static CurrentUser Require(ClaimsPrincipal principal) =>
        From(principal) ?? throw new InvalidOperationException("Authenticated request without a user id claim.");

    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null) return null;
        return new CurrentUser(id, principal.Identity?.Name ?? id,
            principal.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));
    }
}
