namespace DevInsights.Core.Otlp;

public enum OtlpMetricKind
{
    Gauge,
    Sum,
    Histogram,
    ExponentialHistogram,
    Summary,
}

/// <summary>OTLP's aggregation temporality (same numbers as the protocol).</summary>
public enum OtlpTemporality
{
    Unspecified = 0,
    Delta = 1,
    Cumulative = 2,
}

/// <summary>
/// One data point of any sender's metric, flattened for storage per series. Raw values are as sent;
/// the increments are what the point adds to its series (delta as is, cumulative minus the previous point of
/// the same series), so summing increments over time is right whatever the temporality.
/// </summary>
public sealed record OtlpMetricPoint
{
    /// <summary><c>session.id</c> / <c>conversation.id</c> of the point or its resource (Claude Code has one on
    /// every point; Codex's metrics have none).</summary>
    public string? ClientSessionId { get; init; }
    public required string Client { get; init; }
    public string? ServiceName { get; init; }
    public string? ScopeName { get; init; }
    public required string Name { get; init; }
    public string? Unit { get; init; }
    public OtlpMetricKind Kind { get; init; }
    /// <summary>Gauges: Unspecified; summaries: Cumulative (the protocol defines their count and sum so).</summary>
    public OtlpTemporality Temporality { get; init; }
    public bool IsMonotonic { get; init; }

    /// <summary>Identity of the series: resource + scope + metric name + point attributes (hex).</summary>
    public required string SeriesKey { get; init; }
    /// <summary>Identity of the point: series + start + time; re-posting a point gives the same id.</summary>
    public required string PointId { get; init; }
    /// <summary>The point's attributes as a JSON object (limited).</summary>
    public required string AttributesJson { get; init; }
    public DateTime? StartTime { get; init; }
    public DateTime Time { get; init; }

    /// <summary>Gauge and sum: the value as sent.</summary>
    public double? Value { get; init; }
    /// <summary>Sum: the value's increase; histograms and summaries: the count's increase. Null for gauges and
    /// for the first cumulative point of a series that started before tracking began (no baseline).</summary>
    public double? Increment { get; init; }
    /// <summary>Histograms and summaries: count and sum as sent, and the sum's increase.</summary>
    public long? Count { get; init; }
    public double? Sum { get; init; }
    public double? SumIncrement { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary>Histogram <c>{"bounds":[..],"counts":[..]}</c>; exponential histogram
    /// <c>{"scale","zeroCount","positive":{"offset","counts"},"negative":{..}}</c>; summary
    /// <c>{"quantiles":[{"q","v"}]}</c>. Counts as sent.</summary>
    public string? BucketsJson { get; init; }

    /// <summary>What the point's increment adds to its session's figures, or null for metrics that add none.</summary>
    public OtlpSessionFigure? SessionFigure { get; init; }

    /// <summary>Where the point comes from: its session's context (from the session's first point of the export), or
    /// its resource's for points without a session — so every point can be attributed to a machine and developer.</summary>
    public OtlpResourceContext? Context { get; init; }
}

/// <summary>The session figures only metrics carry.</summary>
public enum OtlpSessionFigureKind
{
    ActiveTimeUser,
    ActiveTimeCli,
    LinesAdded,
    LinesRemoved,
    Commits,
    PullRequests,
    CodeEditDecision,
}

/// <summary>Which session figure a point adds to; code edit decisions also say which tool, decision and language.</summary>
public sealed record OtlpSessionFigure(OtlpSessionFigureKind Kind, string? ToolName = null, string? Decision = null, string? Language = null);

/// <summary>Session figures only metrics carry (Claude Code; Gemini CLI's lines), summed from the increments of one
/// export. Token and cost metrics are deliberately absent: the api_request events carry the same figures.</summary>
public sealed record OtlpSessionMetrics
{
    public required string ClientSessionId { get; init; }
    /// <summary><c>claude_code.active_time.total</c>, type user (keyboard) and cli (working), in seconds.</summary>
    public double ActiveTimeUserSeconds { get; init; }
    public double ActiveTimeCliSeconds { get; init; }
    /// <summary><c>claude_code.lines_of_code.count</c> / <c>gemini_cli.lines.changed</c>, type added / removed.</summary>
    public long LinesAdded { get; init; }
    public long LinesRemoved { get; init; }
    public long Commits { get; init; }
    public long PullRequests { get; init; }
    /// <summary><c>claude_code.code_edit_tool.decision</c> counts by tool, decision and language.</summary>
    public IReadOnlyList<OtlpCodeEditDecision> CodeEditDecisions { get; init; } = [];
    /// <summary>The earliest and latest point time seen for the session in this export.</summary>
    public DateTime FirstTime { get; init; }
    public DateTime LastTime { get; init; }

    /// <summary>The figures <paramref name="points"/> add to session <paramref name="clientSessionId"/> (their
    /// increments): how the converter sums an export, and how storage sums only the points it really inserted.</summary>
    public static OtlpSessionMetrics Sum(string clientSessionId, IEnumerable<OtlpMetricPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var totals = new OtlpSessionTotals(clientSessionId);
        foreach (var point in points)
        {
            totals.Add(point);
        }

        return totals.ToResult();
    }
}

public sealed record OtlpCodeEditDecision(string ToolName, string Decision, string? Language, long Count);
