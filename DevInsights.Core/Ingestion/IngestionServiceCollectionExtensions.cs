using DevInsights.Core.Hierarchy;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Core.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>The ingestion pipeline without any transport: queue, single writer (a hosted service), session
    /// cache, notifier, attribute limits and the Unassigned project. Needs <c>DevInsightsOptions</c>,
    /// <see cref="Data.DatabaseConnections"/>, a DbContext factory, a <see cref="TimeProvider"/> and logging —
    /// enough for the web app and for a benchmark host that submits batches straight to <see cref="IngestionQueue"/>.</summary>
    public static IServiceCollection AddIngestionPipeline(this IServiceCollection services)
    {
        services.AddSingleton<IngestionQueue>();
        services.AddSingleton<IIngestionQueueMetrics>(sp => sp.GetRequiredService<IngestionQueue>());
        services.AddSingleton<IngestionSessionCache>();
        services.AddSingleton<IIngestionNotifier, IngestionNotifier>();
        services.AddSingleton<AttributeLimits>();
        services.AddSingleton<UnassignedProject>();
        services.AddSingleton<SessionMover>();
        // Ingestion prices every event with tokens (cost, price version, unpriced) in the batch's transaction.
        services.AddSingleton<Pricing.PriceBook>();
        // One instance is both the hosted loop and the handle others use (ForgetSession, test hooks).
        services.AddSingleton<IngestionWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestionWriter>());
        return services;
    }
}
