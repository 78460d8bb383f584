using DevInsights.Core.Ingestion;
using DevInsights.Core.Sessions;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;
using static DevInsights.Core.Otlp.OtlpAttributes;

namespace DevInsights.Core.Otlp;

/// <summary>Maps one client's event to the normalised vocabulary of <see cref="OtlpEventTypes"/> and fills the
/// event columns from the client's attribute names.</summary>
internal static class OtlpEventMapper
{
    /// <summary>The event with its columns filled, or null when the record is skipped (see <see cref="OtlpEventTypes"/>).
    /// <paramref name="baseEvent"/> carries session and time; its Type is the client's event name.</summary>
    /// <exception cref="OtlpRecordException">A token count or cost is present but unreadable.</exception>
    public static IngestEvent? Map(string client, IngestEvent baseEvent, RepeatedField<KeyValue> a)
    {
        var e = baseEvent with
        {
            Model = Clip(String(a, "model") ?? String(a, "gen_ai.response.model") ?? String(a, "gen_ai.request.model")),
            DurationMs = Long(a, "duration_ms") is >= 0 and var d ? d : null,
            Success = Bool(a, "success"),
        };
        return client switch
        {
            ClientKind.ClaudeCode => Claude(e, a),
            ClientKind.Codex => Codex(e, a),
            ClientKind.GeminiCli => Gemini(e, a),
            _ => e,
        };
    }

    private static IngestEvent Claude(IngestEvent e, RepeatedField<KeyValue> a) => e.Type switch
    {
        OtlpEventTypes.ApiRequest => e with
        {
            InputTokens = Count(a, "input_tokens"),
            OutputTokens = Count(a, "output_tokens"),
            CacheReadTokens = Count(a, "cache_read_tokens"),
            CacheCreationTokens = Count(a, "cache_creation_tokens"),
            CostUsd = Amount(a, "cost_usd") ?? Amount(a, "cost_usd_micros") / 1_000_000,
            Success = true,
            // The API's request id is unique per response and joins the event to the transcript line.
            ClientEventId = String(a, "request_id") is { Length: <= 200 } requestId ? requestId : null,
        },
        OtlpEventTypes.ApiError => e with { Success = false },
        OtlpEventTypes.ToolResult => e with { ToolName = ToolOf(a) },
        OtlpEventTypes.ToolDecision => e with { ToolName = ToolOf(a), Success = null },
        _ => e,
    };

    private static IngestEvent? Codex(IngestEvent e, RepeatedField<KeyValue> a)
    {
        switch (e.Type)
        {
            case "sse_event" when Find(a, "input_token_count") is not null || Find(a, "output_token_count") is not null:
                // input_token_count includes the cached (and cache-write) tokens; reasoning is inside output.
                var input = Count(a, "input_token_count");
                var cached = Count(a, "cached_token_count");
                var cacheWrite = Count(a, "cache_write_token_count");
                return e with
                {
                    Type = OtlpEventTypes.ApiRequest,
                    InputTokens = Math.Max(0, input - cached - cacheWrite),
                    OutputTokens = Count(a, "output_token_count"),
                    CacheReadTokens = cached,
                    CacheCreationTokens = cacheWrite,
                    CostUsd = null, // Codex reports no cost; pricing is applied later, never as 0.
                    Success = true,
                };
            case "sse_event" when String(a, "event.kind") == "response.failed" || String(a, "error.message") is not null:
                return e with { Type = OtlpEventTypes.ApiError, Success = false };
            case "sse_event":
                return null;
            case "api_request":
                var failed = Long(a, "http.response.status_code") >= 400 || String(a, "error.message") is not null;
                return e with { Type = failed ? OtlpEventTypes.ApiError : OtlpEventTypes.ApiAttempt, Success = !failed };
            case OtlpEventTypes.ToolResult:
                return e with { ToolName = ToolOf(a) };
            case OtlpEventTypes.ToolDecision:
                return e with { ToolName = ToolOf(a), Success = null };
            default:
                return e;
        }
    }

    private static IngestEvent Gemini(IngestEvent e, RepeatedField<KeyValue> a)
    {
        switch (e.Type)
        {
            case "api_response":
                // Gemini's prompt count includes cached content; thoughts are billed as output.
                var cached = Count(a, "cached_content_token_count");
                var failed = Long(a, "status_code") >= 400 || String(a, "error") is not null;
                return e with
                {
                    Type = OtlpEventTypes.ApiRequest,
                    InputTokens = Math.Max(0, Count(a, "input_token_count") - cached),
                    OutputTokens = Count(a, "output_token_count") + Count(a, "thoughts_token_count"),
                    CacheReadTokens = cached,
                    CostUsd = null,
                    Success = !failed,
                };
            case "api_request":
                return e with { Type = OtlpEventTypes.ApiAttempt, Success = true };
            case OtlpEventTypes.ApiError:
                return e with { Success = false };
            case "tool_call":
                return e with { Type = OtlpEventTypes.ToolResult, ToolName = ToolOf(a) };
            default:
                return e;
        }
    }

    private static string? ToolOf(RepeatedField<KeyValue> a) => Clip(String(a, "tool_name") ?? String(a, "function_name"));

    // Model and tool columns hold 200 characters; a longer name is noise, not an identity worth rejecting for.
    private static string? Clip(string? text) => text is { Length: > 200 } ? text[..200] : text;
}
