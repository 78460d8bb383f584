using System.Buffers.Text;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using System.Text.Json;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Sessions;

public sealed partial class SessionService
{
    public const int DefaultEventLimit = 100;
    public const int MaxEventLimit = 1000;

    /// <summary>One page of sessions: a count query and a page query, both filtered and projected in the database.</summary>
    /// <remarks>A developer lists only their own sessions; admins list everyone's; team leads everyone's except
    /// those of developers sharing nothing (see <see cref="SessionCaller"/>).</remarks>
    public async Task<SessionResult<SessionPage>> ListAsync(SessionCaller caller, SessionQuery query, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        var sort = (query.Sort ?? "time").Trim().ToLowerInvariant();
        if (!SessionQuery.Sorts.Contains(sort)) errors.Add("sort", $"Must be one of: {string.Join(", ", SessionQuery.Sorts)}.");
        var dir = (query.Dir ?? "desc").Trim().ToLowerInvariant();
        if (dir is not ("asc" or "desc")) errors.Add("dir", "Must be asc or desc.");
        if (query.Page < 1) errors.Add("page", "Must be 1 or more.");
        if (query.PageSize is < 1 or > SessionQuery.MaxPageSize) errors.Add("pageSize", $"Must be between 1 and {SessionQuery.MaxPageSize}.");
        if (query.From > query.To) errors.Add("to", "Must not be before from.");
        string? client = null;
        if (!string.IsNullOrWhiteSpace(query.Client))
        {
            client = ClientKind.Normalize(query.Client);
            // Normalize maps anything unknown to "other"; as a filter that would silently show the wrong sessions.
            if (client == ClientKind.Other && !string.Equals(query.Client.Trim(), ClientKind.Other, StringComparison.OrdinalIgnoreCase))
                errors.Add("client", $"Unknown client; use one of: {string.Join(", ", ClientKind.All)}.");
        }
        if (errors.Any) return SessionResult<SessionPage>.Invalid(errors);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sessions = Filter(db, caller, query, client);
        var total = await sessions.CountAsync(ct);
        var descending = dir == "desc";
        var ordered = sort switch
        {
            "cost" => Order(sessions, s => s.CostUsd, descending),
            "tokens" => Order(sessions, s => s.InputTokens + s.OutputTokens + s.CacheReadTokens + s.CacheCreationTokens, descending),
            _ => Order(sessions, s => s.StartedAt, descending),
        };
        // Sort and cut the page on the sessions table alone, then join only that page's rows to their
        // project, workspace, machine and developer (EF keeps the subquery's order on the outer query).
        var page = await Join(db, ordered.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)).Select(ToSummary).ToListAsync(ct);
        return SessionResult<SessionPage>.Ok(new SessionPage(page, total, query.Page, query.PageSize));
    }

    /// <summary>A session with its tools and tags, and its messages when the caller may read them.</summary>
    public async Task<SessionResult<SessionDetail>> GetAsync(SessionCaller caller, string clientSessionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var header = await Header(db, clientSessionId, ct);
        if (header is null || !caller.CanSee(header.DeveloperId, header.OwnerShareLevel)) return SessionResult<SessionDetail>.NotFound(NoSuchSession(clientSessionId));

        var summary = await Join(db, db.Sessions.AsNoTracking().Where(s => s.Id == header.Id)).Select(ToSummary).SingleAsync(ct);
        var tools = await db.ToolUsages.AsNoTracking().Where(t => t.SessionId == header.Id)
            .OrderByDescending(t => t.Calls).ThenBy(t => t.ToolName)
            .Select(t => new ToolUsageView(t.ToolName, t.Calls, t.Successes, t.Errors)).ToListAsync(ct);
        var canRead = caller.CanReadMessages(header.DeveloperId, header.OwnerShareLevel);
        var messages = canRead
            ? await db.Messages.AsNoTracking().Where(m => m.SessionId == header.Id).OrderBy(m => m.Sequence).ThenBy(m => m.Id)
                .Select(m => new MessageView(m.Sequence, m.Role, m.Content, m.Timestamp)).ToListAsync(ct)
            : [];
        return SessionResult<SessionDetail>.Ok(new SessionDetail(summary)
        {
            Tags = header.TagsJson is null ? [] : JsonSerializer.Deserialize<string[]>(header.TagsJson) ?? [],
            Tools = tools,
            MessagesVisible = canRead,
            Messages = messages,
        });
    }

    /// <summary>The session's events in time order (then id), <paramref name="limit"/> at a time after <paramref name="cursor"/>.</summary>
    public async Task<SessionResult<SessionEventPage>> GetEventsAsync(
        SessionCaller caller, string clientSessionId, int limit = DefaultEventLimit, string? cursor = null, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > MaxEventLimit) errors.Add("limit", $"Must be between 1 and {MaxEventLimit}.");
        EventCursor? after = null;
        if (!string.IsNullOrEmpty(cursor) && (after = EventCursor.Parse(cursor)) is null)
            errors.Add("cursor", "Not a cursor this API returned.");
        if (errors.Any) return SessionResult<SessionEventPage>.Invalid(errors);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var session = await Header(db, clientSessionId, ct);
        if (session is null || !caller.CanSee(session.DeveloperId, session.OwnerShareLevel)) return SessionResult<SessionEventPage>.NotFound(NoSuchSession(clientSessionId));

        var events = db.Events.AsNoTracking().Where(e => e.SessionId == session.Id);
        if (after is not null)
        {
            var (at, id) = (after.Timestamp, after.Id);
            events = events.Where(e => e.Timestamp > at || (e.Timestamp == at && e.Id > id));
        }
        var rows = await events.OrderBy(e => e.Timestamp).ThenBy(e => e.Id).Take(limit + 1).ToListAsync(ct);
        var items = rows.Take(limit).Select(e => new SessionEventView(
            e.Id, e.Timestamp, e.Type, e.ToolName, e.Model,
            new TokenCounts(e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheCreationTokens),
            e.CostUsd, e.DurationMs, e.Success, ParseAttributes(e.AttributesJson), e.Source, e.ClientEventId)).ToList();
        var next = rows.Count > limit ? new EventCursor(items[^1].Timestamp, items[^1].Id).Format() : null;
        return SessionResult<SessionEventPage>.Ok(new SessionEventPage(items, next));
    }

    private static string NoSuchSession(string clientSessionId) => $"No session '{clientSessionId}'.";

    private static IQueryable<Session> Filter(DevInsightsDbContext db, SessionCaller caller, SessionQuery query, string? client)
    {
        var sessions = caller.Visible(db.Sessions.AsNoTracking(), db.Users);
        if (!string.IsNullOrWhiteSpace(query.Developer))
        {
            var developer = query.Developer.Trim();
            var email = developer.ToUpperInvariant(); // Identity's default normaliser
            sessions = sessions.Where(s => s.DeveloperId == developer
                || db.Users.Any(u => u.Id == s.DeveloperId && u.NormalizedEmail == email));
        }
        if (!string.IsNullOrWhiteSpace(query.Model))
        {
            var model = query.Model.Trim();
            sessions = sessions.Where(s => s.Models != null && s.Models.Contains(model));
        }
        if (client is not null) sessions = sessions.Where(s => s.Client == client);
        if (query.ProjectId is { } projectId) sessions = sessions.Where(s => s.ProjectId == projectId);
        if (!string.IsNullOrWhiteSpace(query.Machine))
        {
            var machine = query.Machine.Trim();
            sessions = sessions.Where(s => db.Machines.Any(m => m.Id == s.MachineId && m.ClientMachineId == machine));
        }
        if (!string.IsNullOrWhiteSpace(query.Workspace))
        {
            var workspace = query.Workspace.Trim();
            sessions = sessions.Where(s => db.Workspaces.Any(w => w.Id == s.WorkspaceId && w.ClientWorkspaceId == workspace));
        }
        if (query.From is { } from) sessions = sessions.Where(s => s.StartedAt >= from);
        if (query.To is { } to) sessions = sessions.Where(s => s.StartedAt <= to);
        return sessions;
    }

    // The id breaks ties so that paging is stable when many sessions share a start time or a cost.
    private static IOrderedQueryable<Session> Order<TKey>(IQueryable<Session> sessions, Expression<Func<Session, TKey>> key, bool descending) =>
        descending ? sessions.OrderByDescending(key).ThenByDescending(s => s.Id) : sessions.OrderBy(key).ThenBy(s => s.Id);

    /// <summary>What access is decided on, read before anything else of the session.</summary>
    private static Task<SessionHeader?> Header(DevInsightsDbContext db, string clientSessionId, CancellationToken ct) =>
        (from s in db.Sessions.AsNoTracking().Where(s => s.ClientSessionId == clientSessionId)
         join u0 in db.Users on s.DeveloperId equals u0.Id into us
         from u in us.DefaultIfEmpty()
         select new SessionHeader(s.Id, s.DeveloperId, (ShareLevel?)u!.ShareLevel, s.TagsJson)).FirstOrDefaultAsync(ct);

    private static IQueryable<SessionJoin> Join(DevInsightsDbContext db, IQueryable<Session> sessions) =>
        from s in sessions
        join p in db.Projects on s.ProjectId equals p.Id
        join w0 in db.Workspaces on s.WorkspaceId equals (long?)w0.Id into ws
        from w in ws.DefaultIfEmpty()
        join m0 in db.Machines on s.MachineId equals (long?)m0.Id into ms
        from m in ms.DefaultIfEmpty()
        join u0 in db.Users on s.DeveloperId equals u0.Id into us
        from u in us.DefaultIfEmpty()
        select new SessionJoin { Session = s, Project = p, Workspace = w, Machine = m, Developer = u };

    private static readonly Expression<Func<SessionJoin, SessionSummary>> ToSummary = j => new SessionSummary
    {
        SessionId = j.Session.ClientSessionId,
        Client = j.Session.Client,
        Models = SplitModels(j.Session.Models),
        Developer = j.Developer == null ? null : new SessionDeveloper(j.Developer.Id, j.Developer.Email, j.Developer.DisplayName ?? j.Developer.Email),
        Project = new SessionProject(j.Project.Id, j.Project.Name),
        WorkspaceId = j.Workspace == null ? null : j.Workspace.ClientWorkspaceId,
        MachineHostname = j.Machine == null ? null : j.Machine.Hostname,
        StartedAt = j.Session.StartedAt,
        EndedAt = j.Session.EndedAt,
        LastEventAt = j.Session.LastEventAt,
        DurationMs = j.Session.DurationMs,
        MessageCount = j.Session.MessageCount,
        EventCount = j.Session.EventCount,
        Tokens = new TokenCounts(j.Session.InputTokens, j.Session.OutputTokens, j.Session.CacheReadTokens, j.Session.CacheCreationTokens),
        CostUsd = j.Session.CostUsd,
        LinesAdded = j.Session.LinesAdded,
        LinesRemoved = j.Session.LinesRemoved,
    };

    private static JsonElement? ParseAttributes(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>The position after the last event of a page: (timestamp, id), opaque to clients.</summary>
    private sealed record EventCursor(DateTime Timestamp, long Id)
    {
        public string Format() =>
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Timestamp.Ticks}:{Id}")));

        public static EventCursor? Parse(string cursor)
        {
            if (!Base64Url.IsValid(cursor)) return null;
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
            return parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTime.MaxValue.Ticks
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? new EventCursor(new DateTime(ticks, DateTimeKind.Utc), id)
                : null;
        }
    }

    private sealed record SessionHeader(long Id, string? DeveloperId, ShareLevel? OwnerShareLevel, string? TagsJson);

    /// <summary>A session with its place and owner, the shape <see cref="ToSummary"/> projects from.</summary>
    private sealed class SessionJoin
    {
        public required Session Session { get; init; }
        public required Hierarchy.Project Project { get; init; }
        public Hierarchy.Workspace? Workspace { get; init; }
        public Hierarchy.Machine? Machine { get; init; }
        public AppUser? Developer { get; init; }
    }
}
