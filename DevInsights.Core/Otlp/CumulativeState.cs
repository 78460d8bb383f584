namespace DevInsights.Core.Otlp;

/// <summary>
/// The previous point of every cumulative series, to turn cumulative values into increments. In memory:
/// correct for one server instance; running several instances behind a balancer (or surviving restarts
/// without losing one increment per series) needs this state persisted and shared.
/// </summary>
/// <remarks>A series' first point counts in full only if the series started after tracking began; otherwise
/// it is only a baseline (like the collector's cumulativetodelta processor), because its value may include
/// increments already counted before a restart.</remarks>
public sealed class CumulativeState
{
    private readonly Dictionary<string, Previous> _series = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly int _maxSeries;

    /// <param name="trackingSinceUtc">When tracking began (the app's start).</param>
    /// <param name="maxSeries">Series kept; beyond it the least recently updated tenth is forgotten.</param>
    public CumulativeState(DateTime trackingSinceUtc, int maxSeries = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeries, 10);
        TrackingSince = trackingSinceUtc;
        _maxSeries = maxSeries;
    }

    public DateTime TrackingSince { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _series.Count;
            }
        }
    }

    /// <summary>The increments of <paramref name="value"/> (a sum's value or a histogram's count) and
    /// <paramref name="sum"/> (a histogram's sum) since the series' previous point.</summary>
    internal (double? Value, double? Sum) Advance(string seriesKey, ulong startNanos, ulong timeNanos, double value, double sum, bool monotonic)
    {
        lock (_lock)
        {
            if (!_series.TryGetValue(seriesKey, out var previous))
            {
                Remember(seriesKey, new Previous(startNanos, timeNanos, value, sum));
                return OtlpTime.FromUnixNanos(startNanos) >= TrackingSince ? (value, sum) : (null, null);
            }

            if (timeNanos <= previous.TimeNanos)
            {
                // The same point posted again, or an older one arriving late: nothing new.
                return (0, 0);
            }

            // A new start time, or a monotonic value going down, means the sender restarted the series.
            var reset = (startNanos != 0 && startNanos != previous.StartNanos) || (monotonic && value < previous.Value);
            _series[seriesKey] = new Previous(startNanos, timeNanos, value, sum);
            return reset ? (value, sum) : (value - previous.Value, sum - previous.Sum);
        }
    }

    private void Remember(string seriesKey, Previous point)
    {
        if (_series.Count >= _maxSeries)
        {
            foreach (var stale in _series.OrderBy(s => s.Value.TimeNanos).Take(_maxSeries / 10).Select(s => s.Key).ToList())
            {
                _series.Remove(stale);
            }
        }

        _series[seriesKey] = point;
    }

    private readonly record struct Previous(ulong StartNanos, ulong TimeNanos, double Value, double Sum);
}
