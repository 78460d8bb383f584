namespace DevInsights.Core.Otlp;

/// <summary>The three OTLP signals.</summary>
public enum OtlpSignal
{
    Logs,
    Metrics,
    Traces,
}

public static class OtlpSignals
{
    /// <summary>The signal's lowercase name, as in the OTLP/HTTP paths and the telemetry health report.</summary>
    public static string Name(this OtlpSignal signal) => signal switch
    {
        OtlpSignal.Logs => "logs",
        OtlpSignal.Metrics => "metrics",
        OtlpSignal.Traces => "traces",
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };
}
