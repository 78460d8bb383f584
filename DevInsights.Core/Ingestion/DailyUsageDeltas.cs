using DevInsights.Core.Dashboard;

namespace DevInsights.Core.Ingestion;

/// <summary>The identity of a <see cref="DailyUsage"/> row: UTC day, project, developer ('' for none), client, model ('' for none).</summary>
internal readonly record struct DailyUsageKey(DateOnly Day, long ProjectId, string DeveloperId, string Client, string Model)
    : IComparable<DailyUsageKey>
{
    public static DailyUsageKey Of(SessionRef session, DateTime timestamp, string? model) =>
        Of(timestamp, session.ProjectId, session.DeveloperId, session.Client, model);

    public static DailyUsageKey Of(DateTime timestamp, long projectId, string? developerId, string client, string? model) =>
        new(DateOnly.FromDateTime(timestamp), projectId, developerId ?? DailyUsage.None, client, string.IsNullOrEmpty(model) ? DailyUsage.None : model);

    public static DailyUsageKey Of(EventRow row) => Of(row.Session, row.Timestamp, row.Event.Model);

    /// <summary>The one order in which every writer (ingestion, re-pricing) touches rollup rows, so concurrent
    /// transactions never wait on each other in a cycle.</summary>
    public int CompareTo(DailyUsageKey other)
    {
        var c = Day.CompareTo(other.Day);
        if (c == 0) c = ProjectId.CompareTo(other.ProjectId);
        if (c == 0) c = string.CompareOrdinal(DeveloperId, other.DeveloperId);
        if (c == 0) c = string.CompareOrdinal(Client, other.Client);
        return c != 0 ? c : string.CompareOrdinal(Model, other.Model);
    }
}

/// <summary>What a transaction's new events add to one <c>daily_usage</c> row: summed in memory so each touched row gets
/// one upsert per transaction. The same definitions as <see cref="DailyUsageRebuilder"/>, which tests hold it to.</summary>
internal sealed class DailyUsageDelta(DailyUsageKey key)
{
    public const string ApiRequestType = "api_request";

    public DailyUsageKey Key { get; } = key;
    /// <summary>The same events' figures for <c>daily_costs</c>; null when none of them carries tokens or a cost (no row there).</summary>
    public DailyCostDelta? Cost;
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

    /// <summary>The row's values under <paramref name="key"/> (this delta's own, or another project's when it moves), in
    /// the parameter order of <see cref="DailyAggregateSql"/>.</summary>
    public object[] Values(DailyUsageKey key) =>
        [key.Day, key.ProjectId, key.DeveloperId, key.Client, key.Model, Events, ApiRequests, InputTokens, OutputTokens, CacheReadTokens,
            CacheCreationTokens, CostUsd, ToolCalls, ToolErrors, SessionsStarted];

    /// <summary>Sums the inserted rows per rollup key (usage and cost figures in one pass), and counts each session this
    /// transaction created on the no-model row of the day of its first event (its <c>started_at</c>); a session whose start
    /// a late event moved to an earlier day (<paramref name="earlierStarts"/>) is counted there instead of on its old day.
    /// Ordered by key, so concurrent writers lock rows in one order.</summary>
    public static List<DailyUsageDelta> FromRows(IEnumerable<EventRow> rows, IEnumerable<SessionDelta> createdSessions,
        IEnumerable<(SessionRef Session, DateTime From, DateTime To)> earlierStarts)
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
            if (DailyCostDelta.Counts(row.Cost)) (delta.Cost ??= new DailyCostDelta(delta.Key)).Add(row.Cost);
            if (!string.IsNullOrEmpty(e.ToolName) && e.Success is { } success)
            {
                delta.ToolCalls++;
                if (!success) delta.ToolErrors++;
            }
        }
        foreach (var session in createdSessions) Row(session.Session, session.First, null).SessionsStarted++;
        foreach (var (session, from, to) in earlierStarts)
        {
            Row(session, from, null).SessionsStarted--;
            Row(session, to, null).SessionsStarted++;
        }

        return [.. byKey.Values.OrderBy(d => d.Key)];
    }
}
