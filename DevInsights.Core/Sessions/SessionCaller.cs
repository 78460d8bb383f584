using DevInsights.Core.Identity;

namespace DevInsights.Core.Sessions;

/// <summary>Who is asking, as far as session access is concerned.</summary>
/// <remarks>
/// The access rule, by the owner's CURRENT share level:
/// <list type="bullet">
/// <item>The owner sees all of their own sessions, with messages.</item>
/// <item>Admins see every session's metadata, whatever the owner's level ("Admin sees everything" applies to
/// metadata; content stays the owner's unless shared in full).</item>
/// <item>Team leads see every developer's session metadata, EXCEPT sessions of owners whose level is
/// <see cref="ShareLevel.None"/>: those count only in team aggregates and are hidden as if they did not exist
/// (404 on detail and events, absent from lists).</item>
/// <item>Developers see only their own sessions.</item>
/// <item>Messages (content) are readable by others only when the owner shares <see cref="ShareLevel.Full"/>.</item>
/// </list>
/// Sessions without an owner (uploaded before users existed) have nobody to protect and follow the metadata rule.
/// What is STORED follows the level at the time of storage (content dropped below Full), so changing the level
/// applies to new data; visibility follows the level as it is now.
/// </remarks>
/// <param name="UserId">The caller's user id: the owner of sessions it uploads.</param>
/// <param name="SeesEveryone">Admins and team leads: other developers' session metadata.</param>
/// <param name="SeesPrivate">Admins: also the metadata of developers whose share level is None.</param>
public sealed record SessionCaller(string UserId, bool SeesEveryone, bool SeesPrivate = false)
{
    /// <summary>The caller with the rights of its roles.</summary>
    public static SessionCaller For(string userId, IReadOnlySet<string> roles)
    {
        var admin = roles.Contains(Roles.Admin);
        return new SessionCaller(userId, admin || roles.Contains(Roles.TeamLead), admin);
    }

    /// <summary>The sessions the caller may see, as a query (lists, timelines): the same rule as <see cref="CanSee"/>.</summary>
    public IQueryable<Session> Visible(IQueryable<Session> sessions, IQueryable<AppUser> users)
    {
        var self = UserId;
        if (!SeesEveryone) return sessions.Where(s => s.DeveloperId == self);
        if (SeesPrivate) return sessions;
        return sessions.Where(s => s.DeveloperId == self || !users.Any(u => u.Id == s.DeveloperId && u.ShareLevel == ShareLevel.None));
    }

    internal bool Owns(string? developerId) => developerId is not null && developerId == UserId;

    /// <summary>A session the caller may not see is hidden as if it did not exist.</summary>
    internal bool CanSee(string? developerId, ShareLevel? ownerShareLevel) =>
        Owns(developerId) || SeesPrivate || (SeesEveryone && ownerShareLevel != ShareLevel.None);

    /// <summary>Content is the owner's; others read it only when the owner shares everything.</summary>
    internal bool CanReadMessages(string? developerId, ShareLevel? ownerShareLevel) =>
        Owns(developerId) || (SeesEveryone && ownerShareLevel == ShareLevel.Full);
}
