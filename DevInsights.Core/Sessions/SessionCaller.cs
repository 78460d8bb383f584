namespace DevInsights.Core.Sessions;

/// <summary>Who is asking, as far as session access is concerned.</summary>
/// <param name="UserId">The caller's user id: the owner of sessions it uploads.</param>
/// <param name="SeesEveryone">Admins and team leads: every developer's session metadata.</param>
public sealed record SessionCaller(string UserId, bool SeesEveryone)
{
    internal bool Owns(string? developerId) => developerId is not null && developerId == UserId;

    /// <summary>A developer sees only their own sessions; another's is hidden as if it did not exist.</summary>
    internal bool CanSee(string? developerId) => SeesEveryone || Owns(developerId);

    /// <summary>Content is the owner's; leads read it only when the owner shares everything.</summary>
    internal bool CanReadMessages(string? developerId, Identity.ShareLevel? ownerShareLevel) =>
        Owns(developerId) || (SeesEveryone && ownerShareLevel == Identity.ShareLevel.Full);
}
