using DevInsights.Core.Export;
using DevInsights.Core.Jobs;
using DevInsights.Core.Retention;
using DevInsights.Core.Rollups;
using DevInsights.Web.Api;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Hosting;

/// <summary>Rollups, exports and retention: the jobs (run by the scheduler, the Jobs page and <c>admin run-job</c>),
/// their options (validated at start, each error naming its key), the export API and the admin export page's services.</summary>
public static class RollupsRegistration
{
    public static IServiceCollection AddRollups(this IServiceCollection services)
    {
        services.AddOptions<ExportOptions>().BindConfiguration(ExportOptions.SectionName).ValidateOnStart();
        services.AddOptions<EventRetentionOptions>().BindConfiguration(EventRetentionOptions.SectionName).ValidateOnStart();
        services.AddOptions<ExportRetentionOptions>().BindConfiguration(ExportRetentionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<ExportOptionsValidator>();
        services.AddSingleton<IValidateOptions<ExportOptions>>(sp => sp.GetRequiredService<ExportOptionsValidator>());
        services.AddSingleton<IValidateOptions<EventRetentionOptions>>(sp => sp.GetRequiredService<ExportOptionsValidator>());
        services.AddSingleton<IValidateOptions<ExportRetentionOptions>>(sp => sp.GetRequiredService<ExportOptionsValidator>());

        // Stateless over the database: one instance serves every job run, request and circuit.
        services.AddSingleton<RollupBuilder>();
        services.AddSingleton<RollupQueries>();
        services.AddSingleton<ExportService>();
        services.AddSingleton<ExportPaths>();
        services.AddSingleton<DailyExport>();

        services.AddDevInsightsJob<RollupJob>();
        services.AddDevInsightsJob<ParquetExportJob>();
        services.AddDevInsightsJob<ExportRetentionJob>();
        services.AddDevInsightsJob<EventRetentionJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapRollupsApi(this IEndpointRouteBuilder app)
    {
        ExportApi.Map(app.MapGroup("/api/v1/export").RequireAuthorization().WithTags("Export"));
        return app;
    }
}
