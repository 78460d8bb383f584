namespace DevInsights.Core.Providers;

/// <summary>Token usage a provider reports for one bucket and group. References the provider does not group by are ''.</summary>
public sealed class ProviderUsage
{
    public long Id { get; set; }
    public required string Provider { get; set; }
    public DateTime BucketStart { get; set; }
    public DateTime BucketEnd { get; set; }
    /// <summary>The group's identity within the bucket (the upsert key with provider and bucket start).</summary>
    public required string GroupKey { get; set; }
    /// <summary>OpenAI project id or Anthropic workspace id.</summary>
    public required string ProjectRef { get; set; }
    public required string ApiKeyRef { get; set; }
    public required string UserRef { get; set; }
    public required string Model { get; set; }
    /// <summary>Uncached input (OpenAI's <c>input_tokens</c> minus <c>input_cached_tokens</c>).</summary>
    public long InputTokens { get; set; }
    public long CacheReadTokens { get; set; }
    public long CacheWrite5mTokens { get; set; }
    public long CacheWrite1hTokens { get; set; }
    public long OutputTokens { get; set; }
    public long Requests { get; set; }
    public DateTime FetchedAt { get; set; }
}

/// <summary>What a provider billed for one bucket (a UTC day) and group, in USD.</summary>
public sealed class ProviderCost
{
    public long Id { get; set; }
    public required string Provider { get; set; }
    public DateTime BucketStart { get; set; }
    public DateTime BucketEnd { get; set; }
    public required string GroupKey { get; set; }
    public required string ProjectRef { get; set; }
    public required string ApiKeyRef { get; set; }
    public required string LineItem { get; set; }
    /// <summary>The model the line item names, '' when none.</summary>
    public required string Model { get; set; }
    public double AmountUsd { get; set; }
    public DateTime FetchedAt { get; set; }
}

/// <summary>Anthropic's Claude Code analytics for one actor and day.</summary>
public sealed class ClaudeCodeUsage
{
    public long Id { get; set; }
    public DateOnly Day { get; set; }
    /// <summary><c>user_actor</c> (actor = email) or <c>api_actor</c> (actor = API key name).</summary>
    public required string ActorType { get; set; }
    public required string Actor { get; set; }
    public long Sessions { get; set; }
    public long LinesAdded { get; set; }
    public long LinesRemoved { get; set; }
    public long Commits { get; set; }
    public long PullRequests { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public long CacheReadTokens { get; set; }
    public long CacheCreationTokens { get; set; }
    public double EstimatedCostUsd { get; set; }
    public DateTime FetchedAt { get; set; }
}

/// <summary>Where one provider stream (e.g. <c>openai/completions</c>) resumes: every bucket before
/// <see cref="CompleteUntil"/> is stored complete.</summary>
public sealed class ProviderSyncState
{
    public required string Stream { get; set; }
    public DateTime CompleteUntil { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>An admin's mapping of a provider project, API key or user to a DevInsights project and/or developer.</summary>
public sealed class ProviderMapping
{
    public long Id { get; set; }
    public required string Provider { get; set; }
    /// <summary><see cref="ProviderMappingKinds"/>.</summary>
    public required string Kind { get; set; }
    public required string ExternalId { get; set; }
    public long? ProjectId { get; set; }
    public string? DeveloperId { get; set; }
    public string? Label { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class ProviderMappingKinds
{
    /// <summary>OpenAI project id, Anthropic workspace id.</summary>
    public const string Project = "project";
    public const string ApiKey = "api_key";
    /// <summary>OpenAI user id, Claude Code actor (email or key name).</summary>
    public const string User = "user";

    public static readonly IReadOnlyList<string> All = [Project, ApiKey, User];
}
