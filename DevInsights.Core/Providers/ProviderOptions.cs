namespace DevInsights.Core.Providers;

/// <summary><c>DevInsights:Providers</c>: the providers' organisation usage and cost APIs. A provider without an admin key
/// is off (its jobs are listed as disabled). Admin keys are secrets: set them through environment variables or a secret
/// store, never in a committed file; they are sent to the provider only and never logged or shown.</summary>
public sealed class ProvidersOptions
{
    public const string SectionName = "DevInsights:Providers";

    public OpenAIProviderOptions OpenAI { get; set; } = new();
    public AnthropicProviderOptions Anthropic { get; set; } = new();
}

public abstract class ProviderOptionsBase
{
    public string? AdminKey { get; set; }
    /// <summary>How far back the first run fetches (days), before any bucket is stored.</summary>
    public int BackfillDays { get; set; } = 30;
    /// <summary>Attempts per request on 429 and 5xx answers (waiting <c>Retry-After</c>, else 1, 2, 4... s) before the run fails.</summary>
    public int MaxAttempts { get; set; } = 5;
    /// <summary>The longest wait a <c>Retry-After</c> may impose, in seconds.</summary>
    public int MaxRetryAfterSeconds { get; set; } = 120;

    public bool HasKey => !string.IsNullOrWhiteSpace(AdminKey);
}

public sealed class OpenAIProviderOptions : ProviderOptionsBase
{
    public string BaseUrl { get; set; } = "https://api.openai.com";
    /// <summary>Width of usage buckets: <c>1h</c> or <c>1d</c> (costs are always daily).</summary>
    public string BucketWidth { get; set; } = "1d";
}

public sealed class AnthropicProviderOptions : ProviderOptionsBase
{
    public string BaseUrl { get; set; } = "https://api.anthropic.com";
    /// <summary>Width of usage buckets: <c>1h</c> or <c>1d</c> (costs are always daily).</summary>
    public string BucketWidth { get; set; } = "1d";
    /// <summary>Also fetch the Claude Code analytics report (organisations using Claude Code with the Console).</summary>
    public bool ClaudeCodeReport { get; set; }
}
