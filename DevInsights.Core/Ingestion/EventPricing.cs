using DevInsights.Core.Pricing;

namespace DevInsights.Core.Ingestion;

/// <summary>An event's cost as stored: <see cref="CostUsd"/> is the client's own estimate when it sent one, else tokens ×
/// price; <see cref="ComputedCostUsd"/> is tokens × price whenever the model is priced, kept beside the client's figure.</summary>
/// <param name="Unpriced">The event carries tokens but its model has no price: counted, never priced as $0.</param>
internal readonly record struct EventCost(double? CostUsd, double? ComputedCostUsd, long? PriceId, string? Source, bool Unpriced, long Tokens)
{
    public const string FromClient = "client";
    public const string FromPrice = "price";

    /// <summary>The client's own estimate, when the event carries one (it is never replaced by a price).</summary>
    public double? ClientCostUsd => Source == FromClient ? CostUsd : null;
}

/// <summary>Prices events with the price version effective on the event's (UTC) day: at ingestion, and again when the
/// repricer finds that the table now resolves another version for a stored event.</summary>
internal static class EventPricing
{
    public static EventCost Price(IngestEvent e, DateTime timestampUtc, PriceTable prices) =>
        Price(new TokenCounts(e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheCreationTokens), e.Model, e.CostUsd, timestampUtc, prices);

    /// <param name="clientCostUsd">The cost the client reported, or null.</param>
    public static EventCost Price(TokenCounts tokens, string? model, double? clientCostUsd, DateTime timestampUtc, PriceTable prices)
    {
        if (tokens.Total <= 0)
            return new EventCost(clientCostUsd, null, null, clientCostUsd is null ? null : EventCost.FromClient, false, 0);
        var price = prices.Find(model, DateOnly.FromDateTime(timestampUtc));
        var computed = price is null ? (double?)null : CostCalculator.Cost(price, tokens);
        return clientCostUsd is { } client
            ? new EventCost(client, computed, price?.Id, EventCost.FromClient, price is null, tokens.Total)
            : new EventCost(computed, computed, price?.Id, computed is null ? null : EventCost.FromPrice, price is null, tokens.Total);
    }
}
