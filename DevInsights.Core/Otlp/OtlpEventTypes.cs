namespace DevInsights.Core.Otlp;

/// <summary>
/// The event types OTLP log records are normalised to, the same for every client, so that one query counts
/// API requests, tokens, tool calls and errors across Claude Code, Codex and Gemini CLI.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>type</term><description>meaning — Claude Code / Codex / Gemini CLI source</description></listheader>
/// <item><term>api_request</term><description>one completed model response, the only type carrying tokens
///   (and cost where the client computes it) — <c>api_request</c> / <c>codex.sse_event</c> kind
///   <c>response.completed</c> with token counts / <c>gemini_cli.api_response</c>. Input tokens exclude
///   cache reads (and cache writes), output includes reasoning, so the four counts add up to what was processed.</description></item>
/// <item><term>api_attempt</term><description>an HTTP attempt to the model API that did not fail, without
///   tokens (its tokens arrive on the api_request) — none / <c>codex.api_request</c> with status &lt; 400 /
///   <c>gemini_cli.api_request</c>.</description></item>
/// <item><term>api_error</term><description>a failed model call, <c>Success = false</c> — <c>api_error</c> /
///   <c>codex.api_request</c> with status ≥ 400 or an error, <c>codex.sse_event</c> <c>response.failed</c> /
///   <c>gemini_cli.api_error</c>.</description></item>
/// <item><term>user_prompt</term><description>the user submitted a prompt — all three.</description></item>
/// <item><term>assistant_response</term><description>Claude Code's response event.</description></item>
/// <item><term>tool_decision</term><description>a tool call was allowed or denied; <c>ToolName</c> set,
///   <c>Success</c> null, the verdict in the <c>decision</c> attribute (accept/reject; Codex
///   approved/denied/...) — <c>tool_decision</c> / <c>codex.tool_decision</c> / none.</description></item>
/// <item><term>tool_result</term><description>a tool ran; <c>ToolName</c>, <c>Success</c>, <c>DurationMs</c> —
///   <c>tool_result</c> / <c>codex.tool_result</c> / <c>gemini_cli.tool_call</c>.</description></item>
/// <item><term>log</term><description>a record without an event name (plain logs of other senders).</description></item>
/// <item><term>anything else</term><description>the client's event name without its prefix
///   (<c>plugin_loaded</c>, <c>conversation_starts</c>, <c>turn_ttft</c>, ...), attributes kept.</description></item>
/// </list>
/// Codex's streaming <c>codex.sse_event</c> records (20+ per response: created, deltas, the token-less copy of
/// <c>response.completed</c>) and SDK diagnostics without a session (Codex's "flushing OTEL metrics") are
/// skipped, not stored: they carry nothing beyond a duration, and the metrics keep their counts.
/// </remarks>
public static class OtlpEventTypes
{
    public const string ApiRequest = "api_request";
    public const string ApiAttempt = "api_attempt";
    public const string ApiError = "api_error";
    public const string UserPrompt = "user_prompt";
    public const string AssistantResponse = "assistant_response";
    public const string ToolDecision = "tool_decision";
    public const string ToolResult = "tool_result";
    public const string Log = "log";
}
