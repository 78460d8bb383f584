namespace DevInsights.Core.Configuration;

/// <summary>The "DevInsights" configuration section.</summary>
public sealed class DevInsightsOptions
{
    public const string SectionName = "DevInsights";

    /// <summary>Where the SQLite database and other local files live (relative to the working directory).</summary>
    public string DataDirectory { get; set; } = "./data";

    public DatabaseOptions Database { get; set; } = new();
    public IngestionOptions Ingestion { get; set; } = new();
    public OtlpOptions Otlp { get; set; } = new();
    public BootstrapOptions Bootstrap { get; set; } = new();
}

/// <summary>First run: with no administrator in the database, one is created from these, or a one-time set-up
/// link is printed to the console. Never a default password.</summary>
public sealed class BootstrapOptions
{
    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>SQLite only: "Normal" survives a process crash (WAL); "Full" also survives power loss.</summary>
    public string SqliteSynchronous { get; set; } = "Full";
}

public sealed class IngestionOptions
{
    /// <summary>Most events one POST /api/v1/events may carry.</summary>
    public int MaxBatchEvents { get; set; } = 1000;

    /// <summary>Largest request body accepted by ingestion endpoints (a Codex metrics export is ~0.8 MB of JSON).</summary>
    public long MaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Batches that may wait for the writer; beyond this, ingestion answers 429 with Retry-After.</summary>
    public int QueueCapacity { get; set; } = 256;

    /// <summary>The writer merges waiting batches into one transaction up to this many events.</summary>
    public int MaxEventsPerTransaction { get; set; } = 5000;

    /// <summary>Most attributes kept per object of an event's attributes; the rest are dropped.</summary>
    public int MaxAttributeCount { get; set; } = 128;

    /// <summary>Longest attribute string value kept, in characters; longer values are truncated.</summary>
    public int MaxAttributeValueLength { get; set; } = 4096;
}

/// <summary>The OTLP receivers: OTLP/HTTP on the app's own port (<c>/v1/logs</c>, <c>/v1/metrics</c>, <c>/v1/traces</c>)
/// and OTLP/gRPC on a port of its own.</summary>
public sealed class OtlpOptions
{
    /// <summary>Largest OTLP request accepted, before and after gzip decompression (a Codex metrics export is
    /// ~0.8 MB of JSON).</summary>
    public long MaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The OTLP/gRPC port (HTTP/2 cleartext); 0 disables it. It listens on the loopback interface when every
    /// address the app itself listens on is a loopback one, otherwise on all interfaces.</summary>
    public int GrpcPort { get; set; } = 4317;
}
