namespace DevInsights.Core.Identity;

/// <summary>Who asks for an administrative operation: the actor for the audit trail, and whether their roles allow it.
/// The services check <see cref="IsAdmin"/> themselves, so that the API, the pages and any later caller agree.</summary>
public sealed record AdminCaller(AuditActor Actor, bool IsAdmin)
{
    public static AdminCaller For(AuditActor actor, IEnumerable<string> roles) => new(actor, roles.Contains(Roles.Admin));

    /// <exception cref="UnauthorizedAccessException">The caller is not an administrator.</exception>
    public void DemandAdmin()
    {
        if (!IsAdmin) throw new UnauthorizedAccessException("Only administrators manage telemetry identities.");
    }
}

/// <summary>The columns the identity list sorts by.</summary>
public enum IdentitySort { LastSeen, FirstSeen, Kind, Value, Client }

/// <summary>One page of telemetry identities. <paramref name="Kind"/> is one of
/// <see cref="TelemetryIdentityAdministration.Kinds"/>; <paramref name="Linked"/> null lists both;
/// <paramref name="Search"/> matches the value or the linked user's email (case-insensitive).</summary>
public sealed record IdentityQuery(
    string? Kind = null, bool? Linked = null, string? Search = null,
    IdentitySort Sort = IdentitySort.LastSeen, bool Descending = true, int Skip = 0, int Take = 50);

/// <param name="AccountEmail">An email identity that is some user's account email: telemetry carrying it always
/// goes to that user, whatever the link says, so it cannot be linked elsewhere or unlinked.</param>
public sealed record IdentityRow(
    long Id, string Kind, string Value, string? Client, DateTime FirstSeenAt, DateTime LastSeenAt,
    string? UserId, string? UserEmail, bool AccountEmail);

/// <param name="Unlinked">Identities without a user, whatever the filters: the admin's work list.</param>
public sealed record IdentityPage(IReadOnlyList<IdentityRow> Items, int Total, int Unlinked);

public enum IdentityLinkOutcome
{
    Linked,
    Unlinked,
    /// <summary>The identity already had that link (or none); nothing was written.</summary>
    Unchanged,
    NotFound,
    /// <summary>The user id names no user.</summary>
    UnknownUser,
    /// <summary>An account email identity (<see cref="IdentityRow.AccountEmail"/>): attribution follows the account.</summary>
    AccountEmail,
}

/// <summary>What a link or unlink did; <see cref="Identity"/> is the identity as it is now (null when not found).</summary>
public sealed record IdentityLinkResult(IdentityLinkOutcome Outcome, IdentityRow? Identity, string? Detail = null)
{
    public bool Succeeded => Outcome is IdentityLinkOutcome.Linked or IdentityLinkOutcome.Unlinked or IdentityLinkOutcome.Unchanged;
}
