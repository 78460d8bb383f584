using DevInsights.Core.Data;
using DevInsights.Core.Sessions;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Web.Components.Pages.Sessions;

/// <summary>One row of a session's timeline.</summary>
public sealed record TimelineEvent(
    long Id, DateTime Timestamp, string Type, string? ToolName, string? Model, TokenCounts Tokens, double? CostUsd, long? DurationMs, bool? Success)
{
    /// <summary>The row's tokens as the timeline prints them: "in 1,200 · out 340 · cache 18,000/0".</summary>
    public string TokensText => Tokens.Total == 0
        ? "–"
        : $"in {Shared.Format.Count(Tokens.Input)} · out {Shared.Format.Count(Tokens.Output)} · cache {Shared.Format.Count(Tokens.CacheRead)}/{Shared.Format.Count(Tokens.CacheCreation)}";

    public string CostText => CostUsd is { } c ? Shared.Format.Cost(c) : "–";
}

/// <summary>A session as its page shows it: the service's detail (access already checked), the database ids the live
/// feed filters on, and its events in time order.</summary>
public sealed record SessionView(SessionDetail Detail, long DatabaseId, string? ClientMachineId, IReadOnlyList<TimelineEvent> Events, bool Truncated);

/// <summary>Reads a session for its page and the events that arrive while it is open.</summary>
public sealed class SessionTimelineQuery(SessionService sessions, IDbContextFactory<DevInsightsDbContext> dbFactory)
{
    /// <summary>The timeline shows at most this many events; longer sessions are summarised by their counters.</summary>
    public const int MaxEvents = 2000;

    /// <summary>Null when the session does not exist or the caller may not see it (the service decides).</summary>
    public async Task<SessionView?> LoadAsync(SessionCaller caller, string clientSessionId, CancellationToken ct = default)
    {
        var detail = await sessions.GetAsync(caller, clientSessionId, ct);
        if (detail.Status != SessionResultStatus.Ok) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = await (
            from s in db.Sessions.AsNoTracking().Where(s => s.ClientSessionId == clientSessionId)
            join m0 in db.Machines on s.MachineId equals (long?)m0.Id into ms
            from m in ms.DefaultIfEmpty()
            select new { s.Id, MachineId = m == null ? null : m.ClientMachineId }).SingleAsync(ct);
        var events = await Events(db, ids.Id).OrderBy(e => e.Timestamp).ThenBy(e => e.Id).Take(MaxEvents + 1).Select(ToRow).ToListAsync(ct);
        return new SessionView(detail.Value!, ids.Id, ids.MachineId, events.Take(MaxEvents).ToList(), events.Count > MaxEvents);
    }

    /// <summary>Events stored after <paramref name="afterId"/> (ids grow with every insert, whatever the event's own time).</summary>
    public async Task<IReadOnlyList<TimelineEvent>> NewerThanAsync(long sessionId, long afterId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Events(db, sessionId).Where(e => e.Id > afterId).OrderBy(e => e.Id).Take(MaxEvents).Select(ToRow).ToListAsync(ct);
    }

    private static IQueryable<AgentEvent> Events(DevInsightsDbContext db, long sessionId) =>
        db.Events.AsNoTracking().Where(e => e.SessionId == sessionId);

    // A projection: the attributes JSON (the bulk of a row) never leaves the database for the timeline.
    private static readonly System.Linq.Expressions.Expression<Func<AgentEvent, TimelineEvent>> ToRow = e => new TimelineEvent(
        e.Id, e.Timestamp, e.Type, e.ToolName, e.Model,
        new TokenCounts(e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheCreationTokens), e.CostUsd, e.DurationMs, e.Success);
}
