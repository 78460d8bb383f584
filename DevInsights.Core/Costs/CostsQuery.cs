using DevInsights.Core.Data;
using DevInsights.Core.Dashboard;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using DevInsights.Core.Pricing;
using DevInsights.Core.Providers;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Costs;

/// <summary>Reconciles, per day and by project, developer or model: provider-billed cost (provider_costs, attributed through the
/// admins' mappings), the clients' own estimates and tokens × price (the daily_costs rollup), and what is unpriced.</summary>
public sealed class CostsQuery(IDbContextFactory<DevInsightsDbContext> dbFactory, PriceBook prices)
{
    private const string Unmapped = "unmapped";

    private sealed record Figure(DateOnly Day, string Key, double? Billed, double? Estimated, double? Computed, long UnpricedEvents, long UnpricedTokens);

    public async Task<CostReport> ReadAsync(DateOnly from, DateOnly to, string groupBy, CancellationToken ct = default)
    {
        var table = await prices.CurrentAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        var telemetry = await db.Set<DailyCost>().AsNoTracking().Where(d => d.Day >= from && d.Day <= to)
            .Select(d => new { d.Day, d.ProjectId, d.DeveloperId, d.Model, d.ClientCostUsd, d.ComputedCostUsd, d.PricedEvents, d.UnpricedEvents, d.UnpricedTokens })
            .ToListAsync(ct);
        var billed = await db.Set<ProviderCost>().AsNoTracking().Where(c => c.BucketStart >= start && c.BucketStart < end)
            .Select(c => new { c.Provider, c.BucketStart, c.ProjectRef, c.ApiKeyRef, c.Model, c.AmountUsd }).ToListAsync(ct);
        var mappings = await db.Set<ProviderMapping>().AsNoTracking().ToListAsync(ct);
        var map = mappings.ToDictionary(m => (m.Provider, m.Kind, m.ExternalId));
        var providersReporting = billed.Count > 0 || await db.Set<ProviderSyncState>().AnyAsync(ct);

        string ModelKey(string model, DateOnly day) => model.Length == 0 ? "" : table.Find(model, day)?.Model ?? ModelNames.Candidates(model).Last();
        string TelemetryKey(DateOnly day, long project, string developer, string model) => groupBy switch
        {
            CostGrouping.Project => project.ToString(System.Globalization.CultureInfo.InvariantCulture),
            CostGrouping.Developer => developer,
            CostGrouping.Model => ModelKey(model, day),
            _ => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        };
        string BilledKey(string provider, DateOnly day, string projectRef, string apiKeyRef, string model)
        {
            map.TryGetValue((provider, ProviderMappingKinds.Project, projectRef), out var project);
            map.TryGetValue((provider, ProviderMappingKinds.ApiKey, apiKeyRef), out var key);
            return groupBy switch
            {
                CostGrouping.Project => (key?.ProjectId ?? project?.ProjectId)?.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    ?? $"{Unmapped}:{provider}:{projectRef}",
                CostGrouping.Developer => key?.DeveloperId ?? project?.DeveloperId ?? $"{Unmapped}:{provider}:{(apiKeyRef.Length > 0 ? apiKeyRef : projectRef)}",
                CostGrouping.Model => ModelKey(model, day),
                _ => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            };
        }

        var figures = telemetry.Select(t => new Figure(t.Day, TelemetryKey(t.Day, t.ProjectId, t.DeveloperId, t.Model), null,
                t.ClientCostUsd, t.PricedEvents > 0 ? t.ComputedCostUsd : null, t.UnpricedEvents, t.UnpricedTokens))
            .Concat(billed.Select(b =>
            {
                var day = DateOnly.FromDateTime(b.BucketStart);
                return new Figure(day, BilledKey(b.Provider, day, b.ProjectRef, b.ApiKeyRef, b.Model), b.AmountUsd, null, null, 0, 0);
            }))
            .ToList();

        var labels = await LabelsAsync(db, groupBy, figures.Select(f => f.Key).Distinct().ToList(), ct);
        var rows = figures.GroupBy(f => f.Key).Select(g => Row(g.Key, labels.GetValueOrDefault(g.Key, Label(g.Key)), g, providersReporting))
            .OrderByDescending(r => Math.Max(r.BilledUsd ?? 0, Math.Max(r.EstimatedUsd ?? 0, r.ComputedUsd ?? 0))).ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
        if (groupBy == CostGrouping.Day) rows = [.. rows.OrderBy(r => r.Key, StringComparer.Ordinal)];
        var days = figures.GroupBy(f => f.Day).OrderBy(g => g.Key)
            .Select(g => Row(g.Key.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), g.Key.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), g, providersReporting))
            .ToList();
        return new CostReport(from, to, groupBy, Row("total", "Total", figures, providersReporting), rows, days, providersReporting);
    }

    private static CostRow Row(string key, string label, IEnumerable<Figure> figures, bool providersReporting)
    {
        double? billed = null, estimated = null, computed = null;
        long unpricedEvents = 0, unpricedTokens = 0;
        foreach (var f in figures)
        {
            if (f.Billed is { } b) billed = (billed ?? 0) + b;
            if (f.Estimated is { } e && e != 0) estimated = (estimated ?? 0) + e;
            if (f.Computed is { } c) computed = (computed ?? 0) + c;
            unpricedEvents += f.UnpricedEvents;
            unpricedTokens += f.UnpricedTokens;
        }
        var (gap, note) = Gap(billed, estimated, computed, unpricedEvents, providersReporting);
        return new CostRow(key, label, billed, estimated, computed, unpricedEvents, unpricedTokens, gap, note);
    }

    private static (string?, string?) Gap(double? billed, double? estimated, double? computed, long unpriced, bool providersReporting)
    {
        var telemetry = Math.Max(estimated ?? 0, computed ?? 0);
        if (billed > 0 && telemetry == 0 && unpriced == 0)
            return (CostGaps.BilledWithoutTelemetry, "Billed by the provider with no telemetry: a machine not reporting, or usage not mapped to it.");
        if (providersReporting && billed is null && telemetry > 0)
            return (CostGaps.TelemetryWithoutBilling, "Telemetry shows spend the providers did not bill here (another account, or an unmapped project or key).");
        if (billed > 0 && telemetry > 0 && Math.Abs(billed.Value - telemetry) / billed.Value > CostGaps.Tolerance)
            return (CostGaps.Differs, $"Billed and telemetry differ by {Math.Abs(billed.Value - telemetry) / billed.Value:P0}.");
        if (unpriced > 0) return (CostGaps.Unpriced, $"{unpriced} event(s) with tokens have no price: add the missing price on the Prices page, then re-price stored events there.");
        return (null, null);
    }

    private static string Label(string key) =>
        key.StartsWith(Unmapped + ":", StringComparison.Ordinal) ? $"{key[(Unmapped.Length + 1)..].Replace(':', ' ')} (unmapped)"
        : key.Length == 0 ? "(none)" : key;

    private static async Task<Dictionary<string, string>> LabelsAsync(DevInsightsDbContext db, string groupBy, List<string> keys, CancellationToken ct)
    {
        if (groupBy == CostGrouping.Project)
        {
            var ids = keys.Select(k => long.TryParse(k, out var id) ? id : -1).Where(id => id >= 0).ToList();
            return await db.Set<Project>().AsNoTracking().Where(p => ids.Contains(p.Id))
                .ToDictionaryAsync(p => p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.FullName, ct);
        }
        if (groupBy == CostGrouping.Developer)
        {
            var users = await db.Set<AppUser>().AsNoTracking().Where(u => keys.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.Email }).ToListAsync(ct);
            var labels = users.ToDictionary(u => u.Id, u => u.DisplayName ?? u.Email ?? u.Id);
            labels[DailyUsage.None] = "(no developer)";
            return labels;
        }
        return new Dictionary<string, string> { [""] = "(no model)" };
    }
}
