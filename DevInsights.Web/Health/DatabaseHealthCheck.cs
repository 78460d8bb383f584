using DevInsights.Core.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DevInsights.Web.Health;

/// <summary>Opens a real connection to the configured database and runs a trivial query.</summary>
public sealed class DatabaseHealthCheck(DatabaseConnections connections) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await connections.OpenAsync(ct);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT 1";
            await cmd.ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The exception goes to the server log only; the response never shows it.
            return HealthCheckResult.Unhealthy("The database is unreachable.", ex);
        }
    }
}
