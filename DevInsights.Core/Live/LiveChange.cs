namespace DevInsights.Core.Live;

/// <summary>What a committed ingestion batch touched; subscribers filter on it.</summary>
public sealed record LiveChange(
    IReadOnlySet<string> ClientSessionIds,
    IReadOnlySet<long> ProjectIds,
    IReadOnlySet<string> DeveloperIds,
    int EventCount,
    DateTime CommittedAt);
