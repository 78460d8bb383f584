using DevInsights.Core.Data;
using DevInsights.Core.Otlp.Attribution;
using DevInsights.Core.Otlp.Storage;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Identity;

/// <summary>The identities seen in telemetry (<c>telemetry_identities</c>: emails, account ids, Claude Code install
/// ids) and their links to users, for administrators. Every link and unlink is audited.</summary>
/// <remarks>
/// A link decides who NEW sessions belong to (<see cref="OtlpIdentities"/>): the attribution cache is cleared on every
/// change, so the next export resolves with the new link in this process (other instances within
/// <see cref="OtlpAttributor.CacheLifetime"/>). Stored sessions keep their developer, and so does a session that is
/// still running: which identity attributed a session is not recorded, so moving "the sessions of this identity" could
/// only be a guess, and a guess would move other people's work.
/// </remarks>
public sealed class TelemetryIdentityAdministration(
    IDbContextFactory<DevInsightsDbContext> dbFactory, AuditTrail audit, OtlpAttributor attributor)
{
    public const int MaxPageSize = 200;

    /// <summary>The identity kinds, strongest first (the order attribution tries them in).</summary>
    public static readonly IReadOnlyList<string> Kinds = [TelemetryIdentity.Email, TelemetryIdentity.Account, TelemetryIdentity.Install];

    /// <summary>What each kind is, in the client's own attribute names.</summary>
    public static string Describe(string kind) => kind switch
    {
        TelemetryIdentity.Email => "Email (user.email: Claude Code, Codex, Gemini CLI)",
        TelemetryIdentity.Account => "Account id (Claude Code user.account_uuid, Codex user.account_id)",
        TelemetryIdentity.Install => "Claude Code install id (user.id)",
        _ => kind,
    };

    /// <summary>One page, filtered, sorted and cut in the database.</summary>
    /// <exception cref="UnauthorizedAccessException">The caller is not an administrator.</exception>
    public async Task<IdentityPage> QueryAsync(AdminCaller caller, IdentityQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(query);
        caller.DemandAdmin();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var all = db.Set<TelemetryIdentity>().AsNoTracking();
        var rows = all;
        if (!string.IsNullOrWhiteSpace(query.Kind)) rows = rows.Where(i => i.Kind == query.Kind);
        if (query.Linked is { } linked) rows = linked ? rows.Where(i => i.UserId != null) : rows.Where(i => i.UserId == null);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Values are stored as clients send them (emails lower-cased); Identity keeps upper-cased emails for look-ups.
            var lower = query.Search.Trim().ToLowerInvariant();
            var upper = query.Search.Trim().ToUpperInvariant();
            rows = rows.Where(i => i.Value.ToLower().Contains(lower)
                || (i.UserId != null && db.Users.Any(u => u.Id == i.UserId && u.NormalizedEmail != null && u.NormalizedEmail.Contains(upper))));
        }

        var total = await rows.CountAsync(ct);
        var unlinked = await all.CountAsync(i => i.UserId == null, ct);
        var ordered = (query.Sort, query.Descending) switch
        {
            (IdentitySort.FirstSeen, false) => rows.OrderBy(i => i.FirstSeenAt).ThenBy(i => i.Id),
            (IdentitySort.FirstSeen, true) => rows.OrderByDescending(i => i.FirstSeenAt).ThenByDescending(i => i.Id),
            (IdentitySort.Kind, false) => rows.OrderBy(i => i.Kind).ThenBy(i => i.Value),
            (IdentitySort.Kind, true) => rows.OrderByDescending(i => i.Kind).ThenBy(i => i.Value),
            (IdentitySort.Value, false) => rows.OrderBy(i => i.Value).ThenBy(i => i.Kind),
            (IdentitySort.Value, true) => rows.OrderByDescending(i => i.Value).ThenBy(i => i.Kind),
            (IdentitySort.Client, false) => rows.OrderBy(i => i.Client).ThenBy(i => i.Id),
            (IdentitySort.Client, true) => rows.OrderByDescending(i => i.Client).ThenBy(i => i.Id),
            (_, false) => rows.OrderBy(i => i.LastSeenAt).ThenBy(i => i.Id),
            (_, true) => rows.OrderByDescending(i => i.LastSeenAt).ThenByDescending(i => i.Id),
        };
        var page = await ordered.Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxPageSize))
            .Select(i => new Found(i.Id, i.Kind, i.Value, i.Client, i.FirstSeenAt, i.LastSeenAt, i.UserId,
                db.Users.Where(u => u.Id == i.UserId).Select(u => u.Email ?? u.UserName).FirstOrDefault()))
            .ToListAsync(ct);
        var owners = await AccountOwnersAsync(db, page.Where(i => i.Kind == TelemetryIdentity.Email).Select(i => i.Value), ct);
        return new IdentityPage(page.Select(i => i.Row(owners.ContainsKey(i.Value.ToUpperInvariant()))).ToList(), total, unlinked);
    }

    /// <summary>Links the identity to <paramref name="userId"/>, or unlinks it when null; audited when it changes
    /// anything. Applies to telemetry received from now on.</summary>
    /// <exception cref="UnauthorizedAccessException">The caller is not an administrator.</exception>
    public async Task<IdentityLinkResult> SetLinkAsync(AdminCaller caller, long identityId, string? userId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.DemandAdmin();
        userId = string.IsNullOrWhiteSpace(userId) ? null : userId.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var identity = await db.Set<TelemetryIdentity>().FirstOrDefaultAsync(i => i.Id == identityId, ct);
        if (identity is null) return new IdentityLinkResult(IdentityLinkOutcome.NotFound, null, $"No telemetry identity has the id {identityId}.");

        var owner = identity.Kind == TelemetryIdentity.Email
            ? (await AccountOwnersAsync(db, [identity.Value], ct)).Values.FirstOrDefault()
            : null;
        var current = await FoundAsync(db, identity, ct);
        string? userEmail = null;
        if (userId is not null)
        {
            userEmail = await EmailOfAsync(db, userId, ct);
            if (userEmail is null) return new IdentityLinkResult(IdentityLinkOutcome.UnknownUser, current.Row(owner is not null), $"No user has the id {userId}.");
        }
        if (owner is not null && owner.Id != userId)
            return new IdentityLinkResult(IdentityLinkOutcome.AccountEmail, current.Row(true),
                $"{identity.Value} is the account email of {owner.Email}: telemetry carrying it is always attributed to that user.");
        if (identity.UserId == userId) return new IdentityLinkResult(IdentityLinkOutcome.Unchanged, current.Row(owner is not null));

        var previous = (Id: identity.UserId, Email: current.UserEmail);
        identity.UserId = userId;
        audit.Add(db, caller.Actor, userId is null ? AuditActions.IdentityUnlinked : AuditActions.IdentityLinked,
            $"{identity.Kind}:{identity.Value}",
            new { identityId, kind = identity.Kind, value = identity.Value, client = identity.Client, userId, userEmail,
                previousUserId = previous.Id, previousUserEmail = previous.Email });
        await db.SaveChangesAsync(ct);
        // Cached attributions still name the old developer: the next export must resolve with the new link.
        attributor.ClearCache();
        return new IdentityLinkResult(userId is null ? IdentityLinkOutcome.Unlinked : IdentityLinkOutcome.Linked,
            (current with { UserId = userId, UserEmail = userEmail }).Row(owner is not null));
    }

    /// <summary>Users whose account email is one of <paramref name="emails"/>, by upper-cased email.</summary>
    private static async Task<Dictionary<string, AccountOwner>> AccountOwnersAsync(
        DevInsightsDbContext db, IEnumerable<string> emails, CancellationToken ct)
    {
        var normalized = emails.Select(e => e.ToUpperInvariant()).Distinct().ToList();
        if (normalized.Count == 0) return [];
        var users = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail != null && normalized.Contains(u.NormalizedEmail))
            .Select(u => new { u.Id, u.NormalizedEmail, u.Email }).ToListAsync(ct);
        return users.ToDictionary(u => u.NormalizedEmail!, u => new AccountOwner(u.Id, u.Email ?? u.NormalizedEmail!), StringComparer.Ordinal);
    }

    private static async Task<Found> FoundAsync(DevInsightsDbContext db, TelemetryIdentity i, CancellationToken ct) =>
        new(i.Id, i.Kind, i.Value, i.Client, i.FirstSeenAt, i.LastSeenAt, i.UserId, i.UserId is null ? null : await EmailOfAsync(db, i.UserId, ct));

    private static Task<string?> EmailOfAsync(DevInsightsDbContext db, string userId, CancellationToken ct) =>
        db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.Email ?? u.UserName ?? u.Id).FirstOrDefaultAsync(ct);

    private sealed record AccountOwner(string Id, string Email);

    private sealed record Found(long Id, string Kind, string Value, string? Client, DateTime FirstSeenAt, DateTime LastSeenAt, string? UserId, string? UserEmail)
    {
        public IdentityRow Row(bool accountEmail) => new(Id, Kind, Value, Client, FirstSeenAt, LastSeenAt, UserId, UserEmail, accountEmail);
    }
}
