using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;

namespace DevInsights.Core.Otlp;

/// <summary>Accumulates one session's <see cref="OtlpSessionMetrics"/> from point increments.</summary>
internal sealed class OtlpSessionTotals(string sessionId)
{
    private readonly Dictionary<(string Tool, string Decision, string? Language), double> _decisions = [];
    private double _activeUser, _activeCli, _added, _removed, _commits, _pullRequests;
    private DateTime _first = DateTime.MaxValue, _last = DateTime.MinValue;

    /// <summary>The session figure a metric's point adds to, from its name and attributes (Claude Code's metrics;
    /// Gemini CLI's lines).</summary>
    public static OtlpSessionFigure? FigureOf(string metricName, RepeatedField<KeyValue> attributes)
    {
        string? Type() => OtlpAttributes.String(attributes, "type");
        return metricName switch
        {
            "claude_code.active_time.total" => Type() switch
            {
                "user" => new OtlpSessionFigure(OtlpSessionFigureKind.ActiveTimeUser),
                "cli" => new OtlpSessionFigure(OtlpSessionFigureKind.ActiveTimeCli),
                _ => null,
            },
            "claude_code.lines_of_code.count" or "gemini_cli.lines.changed" => Type() switch
            {
                "added" => new OtlpSessionFigure(OtlpSessionFigureKind.LinesAdded),
                "removed" => new OtlpSessionFigure(OtlpSessionFigureKind.LinesRemoved),
                _ => null,
            },
            "claude_code.commit.count" => new OtlpSessionFigure(OtlpSessionFigureKind.Commits),
            "claude_code.pull_request.count" => new OtlpSessionFigure(OtlpSessionFigureKind.PullRequests),
            "claude_code.code_edit_tool.decision" => new OtlpSessionFigure(OtlpSessionFigureKind.CodeEditDecision,
                OtlpAttributes.String(attributes, "tool_name") ?? "unknown",
                OtlpAttributes.String(attributes, "decision") ?? "unknown",
                OtlpAttributes.String(attributes, "language")),
            _ => null,
        };
    }

    public void Add(OtlpMetricPoint point)
    {
        if (point.Time < _first)
        {
            _first = point.Time;
        }

        if (point.Time > _last)
        {
            _last = point.Time;
        }

        if (point.Increment is not { } increment || point.SessionFigure is not { } figure)
        {
            return;
        }

        switch (figure.Kind)
        {
            case OtlpSessionFigureKind.ActiveTimeUser:
                _activeUser += Seconds(point, increment);
                break;
            case OtlpSessionFigureKind.ActiveTimeCli:
                _activeCli += Seconds(point, increment);
                break;
            case OtlpSessionFigureKind.LinesAdded:
                _added += increment;
                break;
            case OtlpSessionFigureKind.LinesRemoved:
                _removed += increment;
                break;
            case OtlpSessionFigureKind.Commits:
                _commits += increment;
                break;
            case OtlpSessionFigureKind.PullRequests:
                _pullRequests += increment;
                break;
            case OtlpSessionFigureKind.CodeEditDecision:
                var key = (figure.ToolName ?? "unknown", figure.Decision ?? "unknown", figure.Language);
                _decisions[key] = _decisions.GetValueOrDefault(key) + increment;
                break;
        }
    }

    public OtlpSessionMetrics ToResult() => new()
    {
        ClientSessionId = sessionId,
        ActiveTimeUserSeconds = _activeUser,
        ActiveTimeCliSeconds = _activeCli,
        // Counts arrive as doubles (Claude Code sends asDouble even for counters).
        LinesAdded = (long)Math.Round(_added),
        LinesRemoved = (long)Math.Round(_removed),
        Commits = (long)Math.Round(_commits),
        PullRequests = (long)Math.Round(_pullRequests),
        CodeEditDecisions = _decisions
            .Select(d => new OtlpCodeEditDecision(d.Key.Tool, d.Key.Decision, d.Key.Language, (long)Math.Round(d.Value)))
            .OrderBy(d => d.ToolName, StringComparer.Ordinal).ThenBy(d => d.Decision, StringComparer.Ordinal)
            .ThenBy(d => d.Language, StringComparer.Ordinal)
            .ToList(),
        FirstTime = _first,
        LastTime = _last,
    };

    private static double Seconds(OtlpMetricPoint point, double increment) => point.Unit == "ms" ? increment / 1000 : increment;
}
