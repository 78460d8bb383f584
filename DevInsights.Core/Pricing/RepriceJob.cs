using System.Globalization;
using DevInsights.Core.Jobs;

namespace DevInsights.Core.Pricing;

/// <summary>The <c>reprice</c> job: on demand only (after a price is added, overridden or imported), prices stored events
/// again where the price table now resolves another version for them. See <see cref="EventRepricer"/>.</summary>
public sealed class RepriceJob(EventRepricer repricer) : IDevInsightsJob
{
    public const string JobName = "reprice";

    public string Name => JobName;
    public string Description => "Prices stored events again with the current price table: unpriced models that now have a price, and versions replaced by an override or import.";
    public string? DefaultSchedule => null;
    public string? DisabledReason => null;

    public async Task<JobOutcome> RunAsync(JobRunContext context, CancellationToken ct)
    {
        var r = await repricer.RunAsync(context.Progress, ct);
        return new JobOutcome(Summary(r), new Dictionary<string, long>
        {
            ["examined"] = r.Examined,
            ["repriced"] = r.Repriced,
            ["newlyPriced"] = r.NewlyPriced,
            ["nowUnpriced"] = r.NowUnpriced,
            ["stillUnpriced"] = r.StillUnpriced,
            // Counts are whole numbers: the costs as micro-dollars.
            ["computedBeforeMicroUsd"] = (long)Math.Round(r.ComputedBeforeUsd * 1_000_000),
            ["computedAfterMicroUsd"] = (long)Math.Round(r.ComputedAfterUsd * 1_000_000),
            ["transactions"] = r.Transactions,
            ["lastEventId"] = r.LastEventId,
        });
    }

    public static string Summary(RepriceResult r) => string.Create(CultureInfo.InvariantCulture,
        $"Examined {r.Examined:N0} event(s) with tokens: re-priced {r.Repriced:N0} ({r.NewlyPriced:N0} previously unpriced), "
        + $"computed cost ${r.ComputedBeforeUsd:N4} → ${r.ComputedAfterUsd:N4}; {r.StillUnpriced:N0} still unpriced");
}
