namespace DevInsights.Core.Identity;

/// <summary>The columns the user list sorts by.</summary>
public enum UserSort { Email, Created, Disabled }

/// <summary>One page of the user list: <paramref name="Search"/> matches email or display name (case-insensitive).</summary>
public sealed record UserQuery(string? Search = null, UserSort Sort = UserSort.Email, bool Descending = false, int Skip = 0, int Take = 20);

public sealed record UserRow(
    string Id, string Email, string? DisplayName, IReadOnlyList<string> Roles, DateTime CreatedAt,
    DateTime? DisabledAt, int ActiveKeys, ShareLevel ShareLevel, bool MustChangePassword);

public sealed record UserPage(IReadOnlyList<UserRow> Items, int Total);

/// <summary>What deleting a user removes, shown before the deletion is confirmed.</summary>
/// <param name="AggregateRows">Rows of the daily and hourly aggregates (daily_usage, daily_costs, usage_rollups,
/// tool_rollups) holding the user's figures, including those of events retention already deleted.</param>
/// <param name="ProviderMappings">Provider mappings naming the user.</param>
/// <param name="Identities">Telemetry identities (emails, account and install ids) linked to the user.</param>
public sealed record DeletionPreview(string Id, string Email, int Sessions, long Events, int Keys, long AggregateRows, int ProviderMappings, int Identities);

public sealed record KeyRow(
    long Id, string Prefix, string Name, string UserId, string OwnerEmail, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt)
{
    public bool Active => RevokedAt is null;
}

/// <summary>A key issued for a user by an administrator; <see cref="Secret"/> is shown once and never stored.</summary>
public sealed record IssuedKeyFor(long Id, string Secret, string Prefix, string UserId, string OwnerEmail);

/// <summary>Audit filters; <paramref name="Action"/> matches an action or a dotted prefix ("apikey" matches
/// "apikey.created"), <paramref name="Actor"/> a substring of the actor's name; dates are inclusive UTC bounds.</summary>
public sealed record AuditQuery(string? Action = null, string? Actor = null, DateTime? From = null, DateTime? To = null, int Skip = 0, int Take = 50);

public sealed record AuditRow(long Id, DateTime Timestamp, string? ActorId, string? ActorName, string Action, string? Target, string? Details, string? Ip);

public sealed record AuditPage(IReadOnlyList<AuditRow> Items, int Total);
