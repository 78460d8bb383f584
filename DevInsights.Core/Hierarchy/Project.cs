namespace DevInsights.Core.Hierarchy;

/// <summary>A repository (or a local folder without a remote) that sessions are attributed to.</summary>
public sealed class Project
{
    /// <summary>The key of the catch-all project for telemetry that names no repository yet.</summary>
    public const string UnassignedKey = "unassigned";

    public long Id { get; set; }

    /// <summary>Stable identity: the normalised repository URL, "local:{machine}:{path}", or <see cref="UnassignedKey"/>.</summary>
    public required string Key { get; set; }

    public string? RepositoryUrl { get; set; }
    public string? Host { get; set; }
    public string? Owner { get; set; }
    public required string Name { get; set; }
    public required string FullName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastActivityAt { get; set; }
}
