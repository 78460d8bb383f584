namespace DevInsights.Core.Otlp;

/// <summary>An OTLP request body that cannot be read at all (malformed JSON, a wrong shape, truncated protobuf).
/// Transports answer 400 with <see cref="Exception.Message"/>; OTLP clients do not retry a 400.</summary>
public sealed class OtlpFormatException(string message, Exception? inner = null) : Exception(message, inner);
