using Microsoft.Extensions.Options;

namespace DevInsights.Core.Configuration;

/// <summary>Lists every configuration error at start-up, each naming its exact key.</summary>
public sealed class DevInsightsOptionsValidator : IValidateOptions<DevInsightsOptions>
{
    public ValidateOptionsResult Validate(string? name, DevInsightsOptions o)
    {
        var errors = new List<string>();
        const string p = DevInsightsOptions.SectionName;
        if (string.IsNullOrWhiteSpace(o.DataDirectory))
            errors.Add($"{p}:DataDirectory must not be empty.");
        if (!Enum.IsDefined(o.Database.Provider))
            errors.Add($"{p}:Database:Provider must be Sqlite or Postgres.");
        if (o.Database.SqliteSynchronous is not ("Normal" or "Full" or "Extra"))
            errors.Add($"{p}:Database:SqliteSynchronous must be Normal, Full or Extra (was '{o.Database.SqliteSynchronous}').");
        if (o.Ingestion.MaxBatchEvents is < 1 or > 100_000)
            errors.Add($"{p}:Ingestion:MaxBatchEvents must be between 1 and 100000 (was {o.Ingestion.MaxBatchEvents}).");
        if (o.Ingestion.MaxBodyBytes < 1024)
            errors.Add($"{p}:Ingestion:MaxBodyBytes must be at least 1024 (was {o.Ingestion.MaxBodyBytes}).");
        if (o.Ingestion.QueueCapacity < 1)
            errors.Add($"{p}:Ingestion:QueueCapacity must be at least 1 (was {o.Ingestion.QueueCapacity}).");
        if (o.Ingestion.MaxEventsPerTransaction < o.Ingestion.MaxBatchEvents)
            errors.Add($"{p}:Ingestion:MaxEventsPerTransaction must be at least {p}:Ingestion:MaxBatchEvents.");
        if (string.IsNullOrWhiteSpace(o.Bootstrap.AdminEmail) != string.IsNullOrWhiteSpace(o.Bootstrap.AdminPassword))
            errors.Add($"{p}:Bootstrap:AdminEmail and {p}:Bootstrap:AdminPassword must be set together.");
        if (!string.IsNullOrEmpty(o.Bootstrap.AdminPassword) && o.Bootstrap.AdminPassword.Length < 10)
            errors.Add($"{p}:Bootstrap:AdminPassword must be at least 10 characters.");
        if (o.Ingestion.MaxAttributeCount is < 1 or > 10_000)
            errors.Add($"{p}:Ingestion:MaxAttributeCount must be between 1 and 10000 (was {o.Ingestion.MaxAttributeCount}).");
        if (o.Ingestion.MaxAttributeValueLength is < 16 or > 1_048_576)
            errors.Add($"{p}:Ingestion:MaxAttributeValueLength must be between 16 and 1048576 (was {o.Ingestion.MaxAttributeValueLength}).");
        if (o.Otlp.MaxBodyBytes is < 1024 or > int.MaxValue - 1)
            errors.Add($"{p}:Otlp:MaxBodyBytes must be between 1024 and {int.MaxValue - 1} (was {o.Otlp.MaxBodyBytes}).");
        if (o.Otlp.GrpcPort is < 0 or > 65535)
            errors.Add($"{p}:Otlp:GrpcPort must be between 0 (disabled) and 65535 (was {o.Otlp.GrpcPort}).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
