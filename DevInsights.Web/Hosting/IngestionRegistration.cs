using DevInsights.Core.Hierarchy;
using DevInsights.Core.Ingestion;
using DevInsights.Web.Api;

namespace DevInsights.Web.Hosting;

/// <summary>The ingestion pipeline (queue, single writer, notifier, attribute limits) and the batch events API.</summary>
public static class IngestionRegistration
{
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddSingleton<IngestionQueue>();
        services.AddSingleton<IngestionSessionCache>();
        services.AddSingleton<IIngestionNotifier, IngestionNotifier>();
        services.AddSingleton<AttributeLimits>();
        services.AddSingleton<UnassignedProject>();
        // One instance is both the hosted loop and the handle others use (ForgetSession, test hooks).
        services.AddSingleton<IngestionWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestionWriter>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, EventsJsonContext.Default));
        return services;
    }

    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        app.MapEventsApi();
        return app;
    }
}
