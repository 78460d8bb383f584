namespace DevInsights.Core.Otlp.Storage;

// The rows OTLP ingestion keeps besides events (migration 0005). Written with raw SQL on the ingestion path and
// read through EF; the configurations in Data/Configurations/OtlpConfigurations.cs map them.

/// <summary>What a session's metrics added up to: the figures only metrics carry (Claude Code; Gemini CLI's lines).</summary>
public sealed class SessionMetrics
{
    public long SessionId { get; set; }
    public double ActiveTimeUserS { get; set; }
    public double ActiveTimeCliS { get; set; }
    public long LinesAdded { get; set; }
    public long LinesRemoved { get; set; }
    public long Commits { get; set; }
    public long PullRequests { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Accepted/rejected code edits of a session by tool and language (<c>claude_code.code_edit_tool.decision</c>).</summary>
public sealed class CodeEditDecisionCount
{
    public long SessionId { get; set; }
    public required string ToolName { get; set; }
    public required string Decision { get; set; }
    /// <summary>Empty when the client named no language.</summary>
    public required string Language { get; set; }
    public long Count { get; set; }
}

/// <summary>One data point of any sender's metric, kept per series (see <see cref="OtlpMetricPoint"/>).</summary>
public sealed class MetricPoint
{
    public required string PointId { get; set; }
    public required string SeriesKey { get; set; }
    public long? SessionId { get; set; }
    public long? MachineId { get; set; }
    public string? DeveloperId { get; set; }
    public required string Client { get; set; }
    public string? ServiceName { get; set; }
    public string? ScopeName { get; set; }
    public required string Name { get; set; }
    public string? Unit { get; set; }
    public OtlpMetricKind Kind { get; set; }
    public OtlpTemporality Temporality { get; set; }
    public bool IsMonotonic { get; set; }
    public required string AttributesJson { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime Time { get; set; }
    public double? Value { get; set; }
    public double? Increment { get; set; }
    public long? Count { get; set; }
    public double? Sum { get; set; }
    public double? SumIncrement { get; set; }
    public double? Min { get; set; }
    public double? Max { get; set; }
    public string? BucketsJson { get; set; }
    public DateTime ReceivedAt { get; set; }
}

/// <summary>An identity a telemetry client reported (an email, an account id, an install id), with the user it is
/// linked to when known. Every identity seen is recorded, so an admin can link the anonymous ones.</summary>
public sealed class TelemetryIdentity
{
    public const string Email = "email";
    public const string Account = "account";
    public const string Install = "install";

    public long Id { get; set; }
    /// <summary><see cref="Email"/>, <see cref="Account"/> or <see cref="Install"/>.</summary>
    public required string Kind { get; set; }
    public required string Value { get; set; }
    public string? Client { get; set; }
    public string? UserId { get; set; }
    public DateTime FirstSeenAt { get; set; }
    public DateTime LastSeenAt { get; set; }
}

/// <summary>When a machine and developer last sent one signal (logs, metrics or traces): telemetry health.</summary>
public sealed class TelemetrySource
{
    public long Id { get; set; }
    /// <summary>Machine id, developer id and signal in one unique text (the ids may be null, which a unique index
    /// over the columns would not treat as equal).</summary>
    public required string SourceKey { get; set; }
    public long? MachineId { get; set; }
    public string? DeveloperId { get; set; }
    public required string Signal { get; set; }
    public string? Client { get; set; }
    public DateTime FirstSeenAt { get; set; }
    public DateTime LastSeenAt { get; set; }
}
