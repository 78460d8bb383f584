using System.Data.Common;
using System.Globalization;

namespace DevInsights.Core.Rollups;

/// <summary>Tells the rollups job that bucket ranges of a project must be rebuilt from the raw events: for changes that take
/// events out of a project (the job's own watermark and the changed sessions only ever show where events are now).</summary>
/// <remarks>Call <see cref="AddAsync"/> on the connection and inside the transaction of the change, so the request is
/// durable exactly when the change is; <see cref="RollupBuilder"/> rebuilds and deletes it in one transaction.</remarks>
internal static class RollupInvalidations
{
    /// <summary>Ids are deleted by value in statements of this many, so a long backlog stays within parameter limits.</summary>
    private const int DeleteChunk = 500;

    internal const string Select = "SELECT id, project_id, from_time, to_time FROM rollup_invalidations ORDER BY id";

    /// <summary>Asks for the rebuild of <paramref name="projectId"/>'s buckets overlapping [<paramref name="from"/>,
    /// <paramref name="to"/>] (both inclusive: the hours holding them and every hour between).</summary>
    public static Task AddAsync(DbConnection connection, DbTransaction tx, long projectId, DateTime from, DateTime to, DateTime now,
        CancellationToken ct) =>
        RollupSql.ExecuteAsync(connection, tx,
            "INSERT INTO rollup_invalidations (project_id, from_time, to_time, created_at) VALUES (@project, @from, @to, @now)",
            new Dictionary<string, object>
            {
                ["@project"] = projectId, ["@from"] = RollupBuilder.Hour(from), ["@to"] = RollupBuilder.Hour(to).AddHours(1), ["@now"] = now,
            }, ct);

    /// <summary>Deletes the rows read (by id: a row another transaction commits meanwhile, even with a smaller id, stays).</summary>
    internal static async Task DeleteAsync(DbConnection connection, DbTransaction tx, IEnumerable<long> ids, CancellationToken ct)
    {
        foreach (var chunk in ids.Chunk(DeleteChunk))
        {
            var parameters = chunk.Select((id, i) => ("@i" + i.ToString(CultureInfo.InvariantCulture), (object)id)).ToDictionary(p => p.Item1, p => p.Item2);
            await RollupSql.ExecuteAsync(connection, tx, $"DELETE FROM rollup_invalidations WHERE id IN ({string.Join(", ", parameters.Keys)})", parameters, ct);
        }
    }
}
