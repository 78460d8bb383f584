using System.Collections.Concurrent;

namespace DevInsights.Core.Ingestion;

/// <summary>Where a session sits in the hierarchy, as the writer stamps it on every event (and keys the daily rollup).</summary>
public readonly record struct SessionRef(long Id, long ProjectId, long? MachineId, long? WorkspaceId, string? DeveloperId, string Client);

/// <summary>Client session id → <see cref="SessionRef"/> for sessions known to exist, filled by the writer after
/// commits so steady ingestion never looks sessions up.</summary>
/// <remarks>Whoever deletes a session or moves it to another project, machine or workspace must call
/// <see cref="Forget"/> (or <see cref="IngestionWriter.ForgetSession"/>) after committing; a stale entry would
/// otherwise stamp old ids on new events. The writer clears everything after a failed transaction.</remarks>
public sealed class IngestionSessionCache
{
    /// <summary>Beyond this many sessions the cache starts over (about 100 bytes each): old sessions rarely
    /// receive events, and a miss costs one indexed lookup.</summary>
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, SessionRef> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public bool TryGet(string clientSessionId, out SessionRef session) => _sessions.TryGetValue(clientSessionId, out session);

    public void Forget(string clientSessionId) => _sessions.TryRemove(clientSessionId, out _);

    public void Clear() => _sessions.Clear();

    internal void AddRange(IEnumerable<KeyValuePair<string, SessionRef>> sessions)
    {
        if (_sessions.Count > Capacity) _sessions.Clear();
        foreach (var (key, value) in sessions) _sessions[key] = value;
    }
}
