namespace DevInsights.Core.Hierarchy;

/// <summary>A developer's computer, identified by the id its collector (or telemetry) supplies.</summary>
public sealed class Machine
{
    public long Id { get; set; }
    public required string ClientMachineId { get; set; }
    public string? Hostname { get; set; }
    public string? Os { get; set; }
    public string? OsVersion { get; set; }
    public string? Arch { get; set; }
    public string? Ip { get; set; }
    public DateTime FirstSeenAt { get; set; }
    public DateTime LastSeenAt { get; set; }
    public string? MetadataJson { get; set; }
}
