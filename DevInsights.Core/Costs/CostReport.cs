namespace DevInsights.Core.Costs;

/// <summary>How <c>GET /api/v1/costs</c> and the Costs page group the figures.</summary>
public static class CostGrouping
{
    public const string Day = "day";
    public const string Project = "project";
    public const string Developer = "developer";
    public const string Model = "model";

    public static readonly IReadOnlyList<string> All = [Day, Project, Developer, Model];
}

/// <summary>Three figures side by side: what the providers billed, what the clients estimated, and tokens × price; with what
/// could not be priced. A null figure means "no data", which is not $0.</summary>
/// <param name="Gap">Why the row deserves a look (<see cref="CostGaps"/>), or null.</param>
public sealed record CostRow(string Key, string Label, double? BilledUsd, double? EstimatedUsd, double? ComputedUsd,
    long UnpricedEvents, long UnpricedTokens, string? Gap, string? GapNote);

public sealed record CostReport(DateOnly From, DateOnly To, string GroupBy, CostRow Totals, IReadOnlyList<CostRow> Rows,
    IReadOnlyList<CostRow> Days, bool ProvidersReporting);

public static class CostGaps
{
    /// <summary>The provider billed usage that no telemetry accounts for: a machine not reporting, or an unmapped key.</summary>
    public const string BilledWithoutTelemetry = "billed-without-telemetry";
    /// <summary>Telemetry shows spend the providers did not bill (another account, an unmapped project, or a price error).</summary>
    public const string TelemetryWithoutBilling = "telemetry-without-billing";
    /// <summary>Billed and telemetry differ by more than a quarter.</summary>
    public const string Differs = "differs";
    /// <summary>Some usage has no price.</summary>
    public const string Unpriced = "unpriced";

    /// <summary>Billed and telemetry may differ by this share before the row is flagged.</summary>
    public const double Tolerance = 0.25;
}
