using DevInsights.Core.Otlp.Attribution;
using DevInsights.Core.Otlp.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Core.Otlp;

public static class OtlpServiceCollectionExtensions
{
    /// <summary>The OTLP pipeline without transports: <see cref="OtlpIngestionService"/> and what it needs besides the
    /// ingestion pipeline (<see cref="Ingestion.IngestionServiceCollectionExtensions.AddIngestionPipeline"/>) and the
    /// hierarchy service. Singletons: the attribution cache and the cumulative-metric state are process-wide.</summary>
    public static IServiceCollection AddOtlpIngestion(this IServiceCollection services)
    {
        services.AddSingleton(sp => new CumulativeState(sp.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime));
        services.AddSingleton<OtlpIdentities>();
        services.AddSingleton<OtlpAttributor>();
        services.AddSingleton<OtlpSessionPlacer>();
        services.AddSingleton<OtlpMetricsStore>();
        services.AddSingleton<TelemetryHealth>();
        services.AddSingleton<OtlpIngestionService>();
        return services;
    }
}
