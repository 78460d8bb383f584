namespace DevInsights.Core.Hierarchy;

/// <summary>A checkout of a project on a machine (a working directory).</summary>
public sealed class Workspace
{
    public long Id { get; set; }
    public required string ClientWorkspaceId { get; set; }
    public long ProjectId { get; set; }
    public long MachineId { get; set; }
    public string? Path { get; set; }
    public string? Branch { get; set; }
    public string? Commit { get; set; }
    public DateTime FirstSeenAt { get; set; }
    public DateTime LastSeenAt { get; set; }

    public Project? Project { get; set; }
    public Machine? Machine { get; set; }
}
