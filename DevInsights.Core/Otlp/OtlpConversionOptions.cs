namespace DevInsights.Core.Otlp;

/// <summary>Limits applied while converting, so one oversized record cannot bloat the event table.</summary>
public sealed record OtlpConversionOptions
{
    /// <summary>Attributes kept per record or data point; the rest are dropped and counted in
    /// <c>otlp.dropped_attributes</c>.</summary>
    public int MaxAttributeCount { get; init; } = 128;

    /// <summary>Longest string value kept (in UTF-16 characters); longer values are cut.</summary>
    public int MaxAttributeValueLength { get; init; } = 4096;

    /// <summary>Error messages kept per request; the rejected counts stay exact beyond it.</summary>
    public int MaxErrors { get; init; } = 20;

    /// <summary>Keep conversation content (prompts, responses, tool input and output) in the attributes. Off by
    /// default: content is stored only for developers who share it, which the caller knows from the API key.</summary>
    public bool KeepContent { get; init; }

    public static OtlpConversionOptions Default { get; } = new();

    internal void Validate()
    {
        if (MaxAttributeCount < 1 || MaxAttributeValueLength < 16 || MaxErrors < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(OtlpConversionOptions),
                "MaxAttributeCount must be ≥ 1, MaxAttributeValueLength ≥ 16 and MaxErrors ≥ 0.");
        }
    }
}
