using DevInsights.Core.Dashboard;

namespace DevInsights.Core.Ingestion;

/// <summary>The identity of a <see cref="DailyUsage"/> row: UTC day, project, developer ('' for none), client, model ('' for none).</summary>
internal readonly record struct DailyUsageKey(DateOnly Day, long ProjectId, string DeveloperId, string Client, string Model)
{
    public static DailyUsageKey Of(SessionRef session, DateTime timestamp, string? model) =>
        new(DateOnly.FromDateTime(timestamp), session.ProjectId, session.DeveloperId ?? DailyUsage.None, session.Client,
            string.IsNullOrEmpty(model) ? DailyUsage.None : model);

    public static DailyUsageKey Of(EventRow row) => Of(row.Session, row.Timestamp, row.Event.Model);
}

/// <summary>What a transaction's new events add to one <c>daily_usage</c> row: summed in memory so each touched row gets
/// one upsert per transaction. The same definitions as <see cref="DailyUsageRebuilder"/>, which tests hold it to.</summary>
internal sealed class DailyUsageDelta(DailyUsageKey key)
{
    public const string ApiRequestType = "api_request";

    public DailyUsageKey Key { get; } = key;
    public long Events;
    public long ApiRequests;
    public long InputTokens;
    public long OutputTokens;
    public long CacheReadTokens;
    public long CacheCreationTokens;
    public double CostUsd;
    public long ToolCalls;
    public long ToolErrors;
    public long SessionsStarted;

    /// <summary>Sums the inserted rows per rollup key, and counts each session this transaction created on the no-model row
    /// of the day of its first event (its <c>started_at</c>). Ordered by key, so concurrent writers lock rows in one order.</summary>
    public static List<DailyUsageDelta> FromRows(IEnumerable<EventRow> rows, IEnumerable<SessionDelta> createdSessions)
    {
        var byKey = new Dictionary<DailyUsageKey, DailyUsageDelta>();
        DailyUsageDelta Row(SessionRef session, DateTime timestamp, string? model)
        {
            var key = DailyUsageKey.Of(session, timestamp, model);
            if (!byKey.TryGetValue(key, out var delta)) byKey.Add(key, delta = new DailyUsageDelta(key));
            return delta;
        }

        foreach (var row in rows)
        {
            if (!row.Inserted) continue;
            var e = row.Event;
            var delta = Row(row.Session, row.Timestamp, e.Model);
            delta.Events++;
            if (e.Type == ApiRequestType) delta.ApiRequests++;
            delta.InputTokens += e.InputTokens;
            delta.OutputTokens += e.OutputTokens;
            delta.CacheReadTokens += e.CacheReadTokens;
            delta.CacheCreationTokens += e.CacheCreationTokens;
            if (row.Cost.CostUsd is { } cost) delta.CostUsd += cost;
            if (!string.IsNullOrEmpty(e.ToolName) && e.Success is { } success)
            {
                delta.ToolCalls++;
                if (!success) delta.ToolErrors++;
            }
        }
        foreach (var session in createdSessions) Row(session.Session, session.First, null).SessionsStarted++;

        return [.. byKey.Values.OrderBy(d => d.Key.Day).ThenBy(d => d.Key.ProjectId)
            .ThenBy(d => d.Key.DeveloperId, StringComparer.Ordinal).ThenBy(d => d.Key.Client, StringComparer.Ordinal)
            .ThenBy(d => d.Key.Model, StringComparer.Ordinal)];
    }
}
