using System.Text.Json;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Sessions;

/// <summary>Sessions as collectors upload them and as people browse them; every access rule lives here,
/// not in the endpoints, so the API and the pages enforce the same ones.</summary>
public sealed partial class SessionService(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider time)
{
    // A concurrent first upload, or the ingestion writer creating the same session or tool row, can
    // make our insert collide with a committed one: the whole item is retried against the new state.
    private const int MaxAttempts = 3;

    /// <summary>Creates or replaces a session's summary (absolute totals) for its owner, the caller.</summary>
    public async Task<SessionResult<SessionUpsertResult>> UpsertAsync(SessionCaller caller, SessionUpload? upload, CancellationToken ct = default)
    {
        var errors = SessionUploadValidator.Validate(upload);
        if (errors.Any) return SessionResult<SessionUpsertResult>.Invalid(errors);

        WorkspacePlace? place;
        ShareLevel shareLevel;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            place = await db.Workspaces.AsNoTracking().Where(w => w.ClientWorkspaceId == upload!.WorkspaceId)
                .Select(w => new WorkspacePlace(w.Id, w.ProjectId, w.MachineId)).FirstOrDefaultAsync(ct);
            shareLevel = await db.Users.AsNoTracking().Where(u => u.Id == caller.UserId)
                .Select(u => (ShareLevel?)u.ShareLevel).FirstOrDefaultAsync(ct) ?? ShareLevel.Metadata;
        }
        if (place is null)
            return SessionResult<SessionUpsertResult>.Invalid("workspaceId", $"Unknown workspace '{upload!.WorkspaceId}': register it first.");

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WriteAsync(caller, upload!, place, shareLevel, ct);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // Lost a race with another writer of this session: read the committed state and apply again.
            }
        }
    }

    /// <summary>Upserts up to <see cref="SessionUploadValidator.MaxBatchSessions"/> sessions, each on its own,
    /// so one bad item is reported without failing the others.</summary>
    public async Task<SessionResult<SessionBatchResult>> UpsertBatchAsync(SessionCaller caller, IReadOnlyList<SessionUpload?>? uploads, CancellationToken ct = default)
    {
        if (uploads is null || uploads.Count == 0)
            return SessionResult<SessionBatchResult>.Invalid("sessions", "At least one session is required.");
        if (uploads.Count > SessionUploadValidator.MaxBatchSessions)
            return SessionResult<SessionBatchResult>.Invalid("sessions", $"At most {SessionUploadValidator.MaxBatchSessions} sessions per batch (got {uploads.Count}).");

        var results = new List<SessionBatchItemResult>(uploads.Count);
        for (var i = 0; i < uploads.Count; i++)
        {
            var outcome = await UpsertAsync(caller, uploads[i], ct);
            var sessionId = uploads[i]?.SessionId;
            results.Add(outcome.Status switch
            {
                SessionResultStatus.Ok => new SessionBatchItemResult(i, sessionId, outcome.Value!.Created ? "created" : "updated",
                    outcome.Errors, outcome.Value.Warnings),
                SessionResultStatus.Invalid => Rejected(i, sessionId, outcome.Errors),
                _ => Rejected(i, sessionId, new FieldErrors().Add("sessionId", outcome.Detail ?? "Rejected.").ToDictionary()),
            });
        }
        return SessionResult<SessionBatchResult>.Ok(new SessionBatchResult(
            results.Count(r => r.Status == "created"), results.Count(r => r.Status == "updated"),
            results.Count(r => r.Status == "rejected"), results));
    }

    private static SessionBatchItemResult Rejected(int index, string? sessionId, IReadOnlyDictionary<string, string[]> errors) =>
        new(index, sessionId, "rejected", errors, []);

    private async Task<SessionResult<SessionUpsertResult>> WriteAsync(
        SessionCaller caller, SessionUpload upload, WorkspacePlace place, ShareLevel shareLevel, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // SQLite: BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default), so the read below cannot go stale before our write.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var warnings = new List<string>();

        var session = await db.Sessions.FirstOrDefaultAsync(s => s.ClientSessionId == upload.SessionId, ct);
        if (session is not null && session.DeveloperId is not null && session.DeveloperId != caller.UserId)
            return SessionResult<SessionUpsertResult>.Forbidden($"Session '{upload.SessionId}' belongs to another developer.");

        var created = session is null;
        if (session is null)
        {
            session = new Session { ClientSessionId = upload.SessionId!, Client = ClientKind.Normalize(upload.Client), CreatedAt = now };
            db.Sessions.Add(session);
        }
        // A session the ingestion writer created without knowing its developer becomes the uploader's.
        session.DeveloperId = caller.UserId;
        Apply(session, upload, place, created, now, warnings);
        await db.SaveChangesAsync(ct);

        if (upload.Tools is not null)
        {
            // Absolute values: the upload's tool set replaces the stored one.
            await db.ToolUsages.Where(t => t.SessionId == session.Id).ExecuteDeleteAsync(ct);
            db.ToolUsages.AddRange(upload.Tools.Select(t => new ToolUsage
            {
                SessionId = session.Id,
                ToolName = t.Key,
                Calls = t.Value!.Count,
                Successes = t.Value.Success,
                Errors = t.Value.Errors,
            }));
        }

        if (shareLevel == ShareLevel.Full)
        {
            if (upload.Messages is not null)
            {
                await db.Messages.Where(m => m.SessionId == session.Id).ExecuteDeleteAsync(ct);
                db.Messages.AddRange(upload.Messages.Select((m, i) => new Message
                {
                    SessionId = session.Id,
                    Sequence = i,
                    Role = m!.Role!,
                    Content = m.Content!,
                    Timestamp = m.Timestamp?.UtcDateTime,
                }));
            }
        }
        else
        {
            // The share level is enforced when data is stored: below Full, no content is kept for this session,
            // including any stored while the owner still shared everything.
            if (!created) await db.Messages.Where(m => m.SessionId == session.Id).ExecuteDeleteAsync(ct);
            if (upload.Messages is { Count: > 0 })
                warnings.Add($"messages not stored: share level is {shareLevel.ToString().ToLowerInvariant()}");
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return SessionResult<SessionUpsertResult>.Ok(new SessionUpsertResult(session.ClientSessionId, created, warnings));
    }

    private static void Apply(Session session, SessionUpload upload, WorkspacePlace place, bool created, DateTime now, List<string> warnings)
    {
        session.WorkspaceId = place.WorkspaceId;
        session.ProjectId = place.ProjectId;
        session.MachineId = place.MachineId;
        if (upload.Client is not null) session.Client = ClientKind.Normalize(upload.Client);
        session.Models = MergeModel(session.Models, upload.Model, warnings);

        var started = upload.StartedAt!.Value.UtcDateTime;
        var ended = upload.EndedAt?.UtcDateTime;
        session.StartedAt = started;
        session.EndedAt = ended;
        // Events may have arrived after the summary's end: the last activity never moves back.
        var lastActivity = ended ?? started;
        session.LastEventAt = created || session.LastEventAt < lastActivity ? lastActivity : session.LastEventAt;
        session.DurationMs = (long)((ended ?? session.LastEventAt) - started).TotalMilliseconds;
        if (session.DurationMs < 0) session.DurationMs = 0;

        session.MessageCount = upload.TotalMessages ?? upload.Messages?.Count ?? (created ? 0 : session.MessageCount);
        session.InputTokens = upload.InputTokens;
        session.OutputTokens = upload.OutputTokens;
        session.CacheReadTokens = upload.CacheReadTokens;
        session.CacheCreationTokens = upload.CacheCreationTokens;
        session.CostUsd = upload.CostUsd;
        if (upload.Tags is not null)
            session.TagsJson = JsonSerializer.Serialize(upload.Tags.Select(t => t!).Distinct(StringComparer.Ordinal).ToArray());
        session.UpdatedAt = now;
    }

    /// <summary>Adds a model to the comma-separated list, keeping the order of first use.</summary>
    internal static string? MergeModel(string? models, string? model, List<string> warnings)
    {
        if (string.IsNullOrWhiteSpace(model)) return models;
        var trimmed = model.Trim();
        var list = SplitModels(models);
        if (list.Contains(trimmed, StringComparer.Ordinal)) return models;
        var merged = string.Join(',', list.Append(trimmed));
        if (merged.Length <= SessionUploadValidator.MaxModelsLength) return merged;
        warnings.Add($"model '{trimmed}' not recorded: the session's model list is full");
        return models;
    }

    internal static string[] SplitModels(string? models) =>
        string.IsNullOrEmpty(models) ? [] : models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private sealed record WorkspacePlace(long WorkspaceId, long ProjectId, long MachineId);
}
