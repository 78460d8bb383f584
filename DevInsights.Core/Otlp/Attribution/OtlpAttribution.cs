using DevInsights.Core.Identity;
using DevInsights.Core.Ingestion;

namespace DevInsights.Core.Otlp.Attribution;

/// <summary>Where telemetry of one <see cref="OtlpResourceContext"/> belongs: project, machine, workspace and developer
/// (with the developer's share level, which decides whether content is kept).</summary>
/// <param name="IsUnassigned">Nothing named a project: <paramref name="ProjectId"/> is the Unassigned project's.</param>
public sealed record OtlpAttribution(
    long ProjectId, bool IsUnassigned, long? MachineId, long? WorkspaceId, string DeveloperId, ShareLevel ShareLevel)
{
    public bool KeepsContent => ContentFilter.KeepsContent(ShareLevel);
}
