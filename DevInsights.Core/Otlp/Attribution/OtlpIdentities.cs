using DevInsights.Core.Data;
using DevInsights.Core.Otlp.Storage;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Otlp.Attribution;

/// <summary>Finds the developer behind telemetry, and records every identity seen in <c>telemetry_identities</c>.</summary>
/// <remarks>Strongest first: a <c>user.email</c> that is a user's email; else a linked identity (email, then account
/// id, then install id) — links are set by administrators, or by an email match; else the API key's owner.</remarks>
public sealed class OtlpIdentities(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock)
{
    private const int MaxValueLength = 320;

    /// <summary>The developer's user id. Upserts the context's identities (one statement each).</summary>
    public async Task<string> ResolveDeveloperAsync(OtlpResourceContext context, string keyOwnerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var email = Clean(context.UserEmail)?.ToLowerInvariant();
        string? emailUser = null;
        if (email is not null)
        {
            var normalized = email.ToUpperInvariant();
            emailUser = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).FirstOrDefaultAsync(ct);
        }

        string? linked = null;
        foreach (var (kind, value) in new[]
                 {
                     (TelemetryIdentity.Email, email),
                     (TelemetryIdentity.Account, Clean(context.UserAccountId)),
                     (TelemetryIdentity.Install, Clean(context.UserId)),
                 })
        {
            if (value is null) continue;
            var user = await UpsertAsync(db, kind, value, context.Client, kind == TelemetryIdentity.Email ? emailUser : null, ct);
            linked ??= user;
        }

        return emailUser ?? linked ?? keyOwnerId;
    }

    private async Task<string?> UpsertAsync(DevInsightsDbContext db, string kind, string value, string client, string? userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // A link, once made, stays: a later sighting without a match must not undo an administrator's link.
        var rows = await db.Database.SqlQuery<string?>($"""
            INSERT INTO telemetry_identities (kind, value, client, user_id, first_seen_at, last_seen_at)
            VALUES ({kind}, {value}, {client}, {userId}, {now}, {now})
            ON CONFLICT (kind, value) DO UPDATE SET
                client = excluded.client,
                user_id = COALESCE(telemetry_identities.user_id, excluded.user_id),
                last_seen_at = CASE WHEN excluded.last_seen_at > telemetry_identities.last_seen_at THEN excluded.last_seen_at ELSE telemetry_identities.last_seen_at END
            RETURNING user_id AS "Value"
            """).ToListAsync(ct);
        return rows[0];
    }

    private static string? Clean(string? value)
    {
        var trimmed = value?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.Length <= MaxValueLength ? trimmed : trimmed[..MaxValueLength];
    }
}
