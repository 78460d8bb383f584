namespace DevInsights.Core.Identity;

/// <summary>How much of a developer's work others may see; enforced when data is stored.</summary>
public enum ShareLevel
{
    /// <summary>Only aggregates count toward team figures.</summary>
    None = 0,
    /// <summary>Sessions, tokens and tools, but prompt text, tool inputs and messages are dropped.</summary>
    Metadata = 1,
    /// <summary>Everything, including content.</summary>
    Full = 2,
}
