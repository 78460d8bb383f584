using System.Globalization;

namespace DevInsights.Core.Otlp;

/// <summary>Counts rejected items exactly and keeps the first few messages, each naming the item's path.</summary>
internal sealed class OtlpRejections(int maxErrors)
{
    private readonly List<string> _messages = [];

    public int Count { get; private set; }

    public IReadOnlyList<string> Messages => _messages;

    public void Add(string path, string message, int items = 1)
    {
        Count += items;
        if (_messages.Count < maxErrors)
        {
            _messages.Add(path + ": " + message);
        }
    }
}

internal static class OtlpTime
{
    private static readonly ulong _maxNanos = (ulong)(DateTime.MaxValue - DateTime.UnixEpoch).Ticks * 100;

    /// <summary>UTC time of an OTLP timestamp; null for 0 (unset) or beyond year 9999.</summary>
    public static DateTime? FromUnixNanos(ulong nanos)
        => nanos == 0 || nanos > _maxNanos ? null : DateTime.UnixEpoch.AddTicks((long)(nanos / 100));

    public static DateTime? FromIso(string? text)
        => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.UtcDateTime : null;
}
