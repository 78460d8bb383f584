using OpenTelemetry.Proto.Collector.Trace.V1;

namespace DevInsights.Core.Otlp;

/// <summary>What one traces export became: a count of accepted spans, and where they came from.</summary>
/// <param name="Contexts">One context per resource that sent spans (its first span's attributes fill in what the
/// resource lacks), so the sender's machine and developer can be credited with telemetry.</param>
public sealed record OtlpTracesResult(int SpanCount, int RejectedCount, IReadOnlyList<OtlpResourceContext> Contexts);

/// <summary>
/// Traces are accepted and counted, and nothing is stored. Claude Code's traces (beta, opt-in) repeat what its
/// log events already say: <c>claude_code.llm_request</c> spans carry the tokens of the <c>api_request</c>
/// event, <c>claude_code.tool*</c> spans the facts of <c>tool_decision</c>/<c>tool_result</c>. Turning spans into
/// events would double every token and tool count in the session totals (the writer sums events), and keeping
/// them as spans needs a trace store nobody reads yet. Log records keep their trace and span ids in their
/// attributes, so a trace view can join them later. Accepting (rather than rejecting) matters: an exporter
/// that sees errors retries and logs warnings in the developer's terminal.
/// </summary>
public sealed class OtlpTracesConverter
{
    public OtlpTracesResult Convert(ExportTraceServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spans = 0;
        var contexts = new List<OtlpResourceContext>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = resourceSpans.Resource?.Attributes;
            var serviceName = resource is null ? null : OtlpAttributes.String(resource, "service.name");
            OtlpResourceContext? context = null;
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                spans += scopeSpans.Spans.Count;
                if (context is null && scopeSpans.Spans.Count > 0)
                {
                    context = OtlpResourceContext.Create(OtlpClients.Detect(serviceName, scopeSpans.Scope?.Name), resource,
                        scopeSpans.Spans[0].Attributes, null);
                }
            }

            if (context is not null)
            {
                contexts.Add(context);
            }
        }

        return new OtlpTracesResult(spans, 0, contexts);
    }
}
