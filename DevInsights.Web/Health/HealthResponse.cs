using System.Reflection;
using DevInsights.Core.Ingestion;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DevInsights.Web.Health;

/// <summary>The body of GET /health: state only, never connection strings, paths, exception text or host names,
/// because the endpoint is anonymous.</summary>
public static class HealthResponse
{
    public const string DatabaseCheck = "database";

    public sealed record Healthy(string Status, string Version, string Database, int IngestionQueueDepth);

    public sealed record Unhealthy(string Status, string Database);

    /// <summary>The product version without the build's source revision suffix.</summary>
    public static string Version { get; } = ReadVersion();

    public static HealthCheckOptions Options { get; } = new()
    {
        ResponseWriter = WriteAsync,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        if (report.Status == HealthStatus.Unhealthy)
            return context.Response.WriteAsJsonAsync(new Unhealthy("unhealthy", "unreachable"));
        var queue = context.RequestServices.GetRequiredService<IIngestionQueueMetrics>();
        return context.Response.WriteAsJsonAsync(new Healthy("healthy", Version, "reachable", queue.Depth));
    }

    private static string ReadVersion()
    {
        var assembly = typeof(HealthResponse).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
