namespace DevInsights.Core.Sessions;

/// <summary>A collector's summary of one session, as posted to <c>POST /api/v1/sessions</c>.</summary>
/// <remarks>Figures are ABSOLUTE totals: an upload sets the session's numbers, a re-upload replaces them.
/// Nullable where "absent" must differ from "zero" or "empty" (tools, tags and messages absent leave the
/// stored ones as they are).</remarks>
public sealed record SessionUpload
{
    /// <summary>The client's session id (a Claude Code session id, a Codex conversation id, ...).</summary>
    public string? SessionId { get; init; }
    /// <summary>The client workspace id; the workspace must already be registered.</summary>
    public string? WorkspaceId { get; init; }
    public string? Client { get; init; }
    /// <summary>A model used in the session; merged into the session's model list.</summary>
    public string? Model { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Messages in the session; defaults to the number of <see cref="Messages"/> sent.</summary>
    public int? TotalMessages { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheCreationTokens { get; init; }
    public double CostUsd { get; init; }
    /// <summary>Per tool: calls, successes and errors. When present it replaces the session's whole tool set.</summary>
    public IReadOnlyDictionary<string, ToolStats?>? Tools { get; init; }
    public IReadOnlyList<string?>? Tags { get; init; }
    /// <summary>Conversation content; stored only when the owner's share level is Full.</summary>
    public IReadOnlyList<MessageUpload?>? Messages { get; init; }
}

public sealed record ToolStats
{
    public long Count { get; init; }
    public long Success { get; init; }
    public long Errors { get; init; }
}

public sealed record MessageUpload
{
    public string? Role { get; init; }
    public string? Content { get; init; }
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>The body of <c>POST /api/v1/sessions/batch</c>.</summary>
public sealed record SessionBatchUpload
{
    public IReadOnlyList<SessionUpload?>? Sessions { get; init; }
}

/// <summary>The answer to one upload.</summary>
/// <param name="Warnings">What was accepted but not stored, e.g. messages under a metadata share level.</param>
public sealed record SessionUpsertResult(string SessionId, bool Created, IReadOnlyList<string> Warnings);

/// <summary>The answer for one item of a batch.</summary>
/// <param name="Status"><c>created</c>, <c>updated</c> or <c>rejected</c>.</param>
public sealed record SessionBatchItemResult(
    int Index,
    string? SessionId,
    string Status,
    IReadOnlyDictionary<string, string[]> Errors,
    IReadOnlyList<string> Warnings);

public sealed record SessionBatchResult(int Created, int Updated, int Rejected, IReadOnlyList<SessionBatchItemResult> Results);
