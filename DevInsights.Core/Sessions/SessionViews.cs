using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace DevInsights.Core.Sessions;

/// <summary>Filters, sort and page of a session list (<c>GET /api/v1/sessions</c>).</summary>
/// <param name="Developer">A user id or an email address.</param>
/// <param name="Model">Matches sessions whose model list contains this text.</param>
/// <param name="Client">A client kind or one of its aliases (see <see cref="ClientKind.Normalize"/>).</param>
/// <param name="From">Sessions started at or after this instant.</param>
/// <param name="To">Sessions started at or before this instant.</param>
/// <param name="Sort"><c>time</c> (start), <c>cost</c> or <c>tokens</c> (all four kinds); default time.</param>
/// <param name="Dir"><c>desc</c> (default) or <c>asc</c>.</param>
/// <param name="Machine">A client machine id: sessions on that machine.</param>
/// <param name="Workspace">A client workspace id: sessions in that workspace.</param>
public sealed record SessionQuery(
    string? Developer = null,
    string? Model = null,
    string? Client = null,
    long? ProjectId = null,
    DateTime? From = null,
    DateTime? To = null,
    string? Sort = null,
    string? Dir = null,
    int Page = 1,
    int PageSize = SessionQuery.DefaultPageSize,
    string? Machine = null,
    string? Workspace = null)
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;
    public static readonly IReadOnlyList<string> Sorts = ["time", "cost", "tokens"];
}

public sealed record TokenCounts(long Input, long Output, long CacheRead, long CacheCreation)
{
    public long Total => Input + Output + CacheRead + CacheCreation;
}

/// <param name="DisplayName">The display name, or the email when none is set.</param>
public sealed record SessionDeveloper(string Id, string? Email, string? DisplayName);

public sealed record SessionProject(long Id, string Name);

/// <summary>One row of a session list; the detail adds tools, tags and messages.</summary>
public record SessionSummary
{
    public required string SessionId { get; init; }
    public required string Client { get; init; }
    public required IReadOnlyList<string> Models { get; init; }
    public SessionDeveloper? Developer { get; init; }
    public required SessionProject Project { get; init; }
    /// <summary>The client workspace id.</summary>
    public string? WorkspaceId { get; init; }
    public string? MachineHostname { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? EndedAt { get; init; }
    public DateTime LastEventAt { get; init; }
    public long DurationMs { get; init; }
    public int MessageCount { get; init; }
    public long EventCount { get; init; }
    public required TokenCounts Tokens { get; init; }
    public double CostUsd { get; init; }
    public int LinesAdded { get; init; }
    public int LinesRemoved { get; init; }
}

public sealed record SessionPage(IReadOnlyList<SessionSummary> Items, int Total, int Page, int PageSize);

public sealed record ToolUsageView(string Name, long Calls, long Successes, long Errors);

public sealed record MessageView(int Sequence, string Role, string Content, DateTime? Timestamp);

public sealed record SessionDetail : SessionSummary
{
    [SetsRequiredMembers]
    public SessionDetail(SessionSummary summary) : base(summary) { }

    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Most used first.</summary>
    public IReadOnlyList<ToolUsageView> Tools { get; init; } = [];
    /// <summary>False when the caller may not read the content; <see cref="Messages"/> is then empty.</summary>
    public bool MessagesVisible { get; init; }
    public IReadOnlyList<MessageView> Messages { get; init; } = [];
}

/// <param name="EventId">The client's idempotency key, when it sent one.</param>
/// <param name="Attributes">The stored attributes as a JSON object.</param>
public sealed record SessionEventView(
    long Id,
    DateTime Timestamp,
    string Type,
    string? ToolName,
    string? Model,
    TokenCounts Tokens,
    double? CostUsd,
    long? DurationMs,
    bool? Success,
    JsonElement? Attributes,
    string Source,
    string? EventId);

/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
public sealed record SessionEventPage(IReadOnlyList<SessionEventView> Items, string? NextCursor);
