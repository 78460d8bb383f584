using DevInsights.Core.Ingestion;
using DevInsights.Web.Api;

namespace DevInsights.Web.Hosting;

/// <summary>The ingestion pipeline (queue, single writer, notifier, attribute limits) and the batch events API.</summary>
public static class IngestionRegistration
{
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddIngestionPipeline();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, EventsJsonContext.Default));
        return services;
    }

    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        app.MapEventsApi();
        return app;
    }
}
