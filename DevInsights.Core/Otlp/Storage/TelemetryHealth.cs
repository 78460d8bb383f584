using System.Collections.Concurrent;
using System.Data.Common;
using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DevInsights.Core.Otlp.Storage;

/// <summary>One machine or developer in the telemetry health report.</summary>
/// <param name="Signals">Last time each signal ("logs", "metrics", "traces") arrived; absent when never.</param>
/// <param name="Stale">Sent telemetry once, but nothing for longer than <see cref="TelemetryHealth.StaleAfter"/>.</param>
public sealed record TelemetrySourceHealth(string Id, string? Name, DateTime LastSeenAt, bool Stale, IReadOnlyDictionary<string, DateTime> Signals);

public sealed record TelemetryHealthReport(
    DateTime GeneratedAt, double StaleAfterHours, IReadOnlyList<TelemetrySourceHealth> Machines, IReadOnlyList<TelemetrySourceHealth> Developers);

/// <summary>Records which machines and developers send which signals, and reports when each last did.</summary>
/// <remarks>Recording is on the ingestion path, so it writes one small upsert per (machine, developer, signal) at most
/// once per <see cref="RecordInterval"/> per instance; last-seen times are accurate to that interval. A failed write
/// is logged and never fails ingestion: health is a report about telemetry, not telemetry.</remarks>
public sealed class TelemetryHealth(IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock, ILogger<TelemetryHealth> logger)
{
    public static readonly TimeSpan RecordInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(24);
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<string, DateTime> _lastWritten = new(StringComparer.Ordinal);

    /// <summary>Notes that <paramref name="signal"/> arrived from each (machine, developer, client).</summary>
    public async Task RecordAsync(OtlpSignal signal, IEnumerable<(long? MachineId, string? DeveloperId, string Client)> sources, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var now = clock.GetUtcNow().UtcDateTime;
        var name = signal.Name();
        foreach (var (machineId, developerId, client) in sources.Distinct())
        {
            var key = $"{machineId ?? 0}|{developerId}|{name}";
            if (_lastWritten.TryGetValue(key, out var written) && now - written < RecordInterval) continue;
            if (_lastWritten.Count >= MaxRemembered) _lastWritten.Clear();
            _lastWritten[key] = now;
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO telemetry_sources (source_key, machine_id, developer_id, signal, client, first_seen_at, last_seen_at)
                    VALUES ({key}, {machineId}, {developerId}, {name}, {client}, {now}, {now})
                    ON CONFLICT (source_key) DO UPDATE SET client = excluded.client,
                        last_seen_at = CASE WHEN excluded.last_seen_at > telemetry_sources.last_seen_at THEN excluded.last_seen_at ELSE telemetry_sources.last_seen_at END
                    """, ct);
            }
            catch (DbException ex)
            {
                // E.g. the machine or user was deleted a moment ago. Try again with the next telemetry.
                _lastWritten.TryRemove(key, out _);
                logger.LogWarning(ex, "Could not record telemetry health for {Source}", key);
            }
        }
    }

    /// <summary>Every machine and developer that sent telemetry, or only what <paramref name="developerId"/> sent.</summary>
    public async Task<TelemetryHealthReport> ReadAsync(string? developerId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sources = db.Set<TelemetrySource>().AsNoTracking();
        if (developerId is not null) sources = sources.Where(s => s.DeveloperId == developerId);
        var rows = await sources
            .GroupJoin(db.Machines, s => s.MachineId, m => m.Id, (s, m) => new { s, m })
            .SelectMany(x => x.m.DefaultIfEmpty(), (x, m) => new { x.s.MachineId, x.s.DeveloperId, x.s.Signal, x.s.LastSeenAt, Machine = m!.ClientMachineId, m.Hostname })
            .ToListAsync(ct);
        var developerIds = rows.Where(r => r.DeveloperId is not null).Select(r => r.DeveloperId!).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => developerIds.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.DisplayName ?? u.Email ?? u.UserName }).ToDictionaryAsync(u => u.Id, u => u.Name, ct);

        var now = clock.GetUtcNow().UtcDateTime;
        TelemetrySourceHealth Health(string id, string? name, IEnumerable<(string Signal, DateTime At)> seen)
        {
            var signals = seen.GroupBy(s => s.Signal).ToDictionary(g => g.Key, g => g.Max(s => s.At), StringComparer.Ordinal);
            var last = signals.Values.Max();
            return new TelemetrySourceHealth(id, name, last, now - last > StaleAfter, signals);
        }

        var machines = rows.Where(r => r.Machine is not null).GroupBy(r => (r.Machine!, r.Hostname))
            .Select(g => Health(g.Key.Item1, g.Key.Hostname, g.Select(r => (r.Signal, r.LastSeenAt))))
            .OrderByDescending(h => h.LastSeenAt).ToList();
        var developers = rows.Where(r => r.DeveloperId is not null).GroupBy(r => r.DeveloperId!)
            .Select(g => Health(g.Key, users.GetValueOrDefault(g.Key), g.Select(r => (r.Signal, r.LastSeenAt))))
            .OrderByDescending(h => h.LastSeenAt).ToList();
        return new TelemetryHealthReport(now, StaleAfter.TotalHours, machines, developers);
    }
}
