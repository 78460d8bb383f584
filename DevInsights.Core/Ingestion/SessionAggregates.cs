namespace DevInsights.Core.Ingestion;

/// <summary>One event of a transaction, with the session it resolved to and whether it was new.</summary>
internal sealed class EventRow(IngestEvent ev, int batchIndex, SessionRef session, DateTime timestamp)
{
    public IngestEvent Event { get; } = ev;
    public int BatchIndex { get; } = batchIndex;
    public SessionRef Session { get; } = session;
    /// <summary>The event's time in UTC (the database providers insist on it).</summary>
    public DateTime Timestamp { get; } = timestamp;
    /// <summary>False for a duplicate of an already stored (session, client event id).</summary>
    public bool Inserted { get; set; }
    /// <summary>What the event costs and how that was known (set by <see cref="EventPricing"/> before the insert).</summary>
    public EventCost Cost { get; set; }
}

internal sealed class ToolDelta
{
    public long Calls;
    public long Successes;
    public long Errors;
}

/// <summary>What a transaction's new events add to one session: summed in memory so each touched session gets one
/// UPDATE per transaction, not one per event.</summary>
internal sealed class SessionDelta(SessionRef session)
{
    /// <summary>The longest <c>sessions.models</c> may grow (its column width).</summary>
    public const int MaxModelsLength = 1000;

    public SessionRef Session { get; } = session;
    public long Events;
    public long InputTokens;
    public long OutputTokens;
    public long CacheReadTokens;
    public long CacheCreationTokens;
    public double CostUsd;
    public double ComputedCostUsd;
    public long UnpricedEvents;
    public int Messages;
    public DateTime First = DateTime.MaxValue;
    public DateTime Last = DateTime.MinValue;
    /// <summary>Models in order of first use within the transaction.</summary>
    public List<string> Models { get; } = [];
    public Dictionary<string, ToolDelta> Tools { get; } = new(StringComparer.Ordinal);

    /// <summary>Sums the inserted rows per session, in order of first appearance.</summary>
    public static List<SessionDelta> FromRows(IEnumerable<EventRow> rows)
    {
        var bySession = new Dictionary<long, SessionDelta>();
        var ordered = new List<SessionDelta>();
        foreach (var row in rows)
        {
            if (!row.Inserted) continue;
            if (!bySession.TryGetValue(row.Session.Id, out var delta))
            {
                delta = new SessionDelta(row.Session);
                bySession.Add(row.Session.Id, delta);
                ordered.Add(delta);
            }
            delta.Add(row);
        }
        return ordered;
    }

    /// <summary>Events of these types are conversation turns and count toward <c>sessions.message_count</c>.</summary>
    public static bool IsMessage(string type) =>
        type.Equals("user_prompt", StringComparison.OrdinalIgnoreCase)
        || type.Equals("assistant_response", StringComparison.OrdinalIgnoreCase)
        || type.Equals("message", StringComparison.OrdinalIgnoreCase);

    /// <summary>Appends the models not yet listed, keeping order, never past <see cref="MaxModelsLength"/>
    /// characters (a name that does not fit is left out whole).</summary>
    public static string? MergeModels(string? existing, IEnumerable<string> models)
    {
        var list = string.IsNullOrEmpty(existing) ? [] : existing.Split(',').ToList();
        var length = existing?.Length ?? 0;
        foreach (var model in models)
        {
            if (list.Contains(model, StringComparer.Ordinal)) continue;
            var added = list.Count == 0 ? model.Length : model.Length + 1;
            if (length + added > MaxModelsLength) continue;
            list.Add(model);
            length += added;
        }
        return list.Count == 0 ? null : string.Join(',', list);
    }

    private void Add(EventRow row)
    {
        var e = row.Event;
        Events++;
        InputTokens += e.InputTokens;
        OutputTokens += e.OutputTokens;
        CacheReadTokens += e.CacheReadTokens;
        CacheCreationTokens += e.CacheCreationTokens;
        if (row.Cost.CostUsd is { } cost) CostUsd += cost;
        if (row.Cost.ComputedCostUsd is { } computed) ComputedCostUsd += computed;
        if (row.Cost.Unpriced) UnpricedEvents++;
        if (IsMessage(e.Type)) Messages++;
        if (row.Timestamp < First) First = row.Timestamp;
        if (row.Timestamp > Last) Last = row.Timestamp;
        if (!string.IsNullOrEmpty(e.Model) && !Models.Contains(e.Model, StringComparer.Ordinal)) Models.Add(e.Model);
        // A tool call is counted once, by the event that reports its outcome.
        if (!string.IsNullOrEmpty(e.ToolName) && e.Success is { } success)
        {
            if (!Tools.TryGetValue(e.ToolName, out var tool)) Tools.Add(e.ToolName, tool = new ToolDelta());
            tool.Calls++;
            if (success) tool.Successes++;
            else tool.Errors++;
        }
    }
}
