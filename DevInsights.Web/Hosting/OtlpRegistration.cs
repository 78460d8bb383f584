using DevInsights.Core.Otlp;
using DevInsights.Web.Api;
using DevInsights.Web.Otlp;

namespace DevInsights.Web.Hosting;

/// <summary>The OTLP receivers: the pipeline (<see cref="OtlpIngestionService"/>), OTLP/HTTP on the app's port, the
/// OTLP/gRPC listener on its own port, and the telemetry health API.</summary>
public static class OtlpRegistration
{
    public static IServiceCollection AddOtlp(this IServiceCollection services)
    {
        services.AddOtlpIngestion();
        // Registered after the ingestion writer, so it stops first: no export arrives while the writer drains.
        services.AddSingleton<OtlpGrpcServer>();
        services.AddHostedService(sp => sp.GetRequiredService<OtlpGrpcServer>());
        return services;
    }

    public static IEndpointRouteBuilder MapOtlpApi(this IEndpointRouteBuilder app)
    {
        app.MapOtlpHttpApi();
        app.MapTelemetryHealthApi();
        return app;
    }
}
