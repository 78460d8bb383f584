using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;

namespace DevInsights.Core.Otlp;

/// <summary>Accumulates one session's <see cref="OtlpSessionMetrics"/> from the increments of an export.</summary>
internal sealed class OtlpSessionTotals(string sessionId)
{
    private readonly Dictionary<(string Tool, string Decision, string? Language), double> _decisions = [];
    private double _activeUser, _activeCli, _added, _removed, _commits, _pullRequests;
    private DateTime _first = DateTime.MaxValue, _last = DateTime.MinValue;

    public void Add(OtlpMetricPoint point, RepeatedField<KeyValue> attributes)
    {
        if (point.Time < _first)
        {
            _first = point.Time;
        }

        if (point.Time > _last)
        {
            _last = point.Time;
        }

        if (point.Increment is not { } increment)
        {
            return;
        }

        var type = OtlpAttributes.String(attributes, "type");
        switch (point.Name)
        {
            case "claude_code.active_time.total":
                var seconds = point.Unit == "ms" ? increment / 1000 : increment;
                if (type == "user")
                {
                    _activeUser += seconds;
                }
                else if (type == "cli")
                {
                    _activeCli += seconds;
                }

                break;
            case "claude_code.lines_of_code.count" or "gemini_cli.lines.changed" when type == "added":
                _added += increment;
                break;
            case "claude_code.lines_of_code.count" or "gemini_cli.lines.changed" when type == "removed":
                _removed += increment;
                break;
            case "claude_code.commit.count":
                _commits += increment;
                break;
            case "claude_code.pull_request.count":
                _pullRequests += increment;
                break;
            case "claude_code.code_edit_tool.decision":
                var key = (OtlpAttributes.String(attributes, "tool_name") ?? "unknown",
                    OtlpAttributes.String(attributes, "decision") ?? "unknown",
                    OtlpAttributes.String(attributes, "language"));
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
}
