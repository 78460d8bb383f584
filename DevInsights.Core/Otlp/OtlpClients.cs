using DevInsights.Core.Sessions;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;

namespace DevInsights.Core.Otlp;

/// <summary>Which assistant sent a resource, and how its records name sessions and events.</summary>
internal static class OtlpClients
{
    /// <summary>Longest session id the sessions table takes (client_session_id is 200 characters).</summary>
    public const int MaxSessionIdLength = 200;

    // Claude Code and Gemini CLI say session.id, Codex conversation.id, GenAI semantic conventions the last.
    private static readonly string[] _sessionKeys = ["session.id", "conversation.id", "gen_ai.conversation.id"];
    private static readonly string[] _eventPrefixes = ["claude_code.", "codex.", "gemini_cli."];

    /// <summary>By <c>service.name</c> (claude-code; codex_exec, codex_cli_rs, ...; gemini-cli), else by the
    /// instrumentation scope, since a collector may rewrite the service name.</summary>
    public static string Detect(string? serviceName, string? scopeName)
    {
        var service = serviceName?.Trim().ToLowerInvariant().Replace('_', '-');
        if (!string.IsNullOrEmpty(service))
        {
            if (service.StartsWith("claude-code", StringComparison.Ordinal) || service == "claude")
            {
                return ClientKind.ClaudeCode;
            }

            if (service.StartsWith("codex", StringComparison.Ordinal))
            {
                return ClientKind.Codex;
            }

            if (service.StartsWith("gemini", StringComparison.Ordinal))
            {
                return ClientKind.GeminiCli;
            }
        }

        var scope = scopeName ?? "";
        return scope.StartsWith("com.anthropic.claude_code", StringComparison.Ordinal) ? ClientKind.ClaudeCode
            : scope.StartsWith("codex", StringComparison.Ordinal) ? ClientKind.Codex
            : scope.StartsWith("gemini-cli", StringComparison.Ordinal) || scope.StartsWith("gemini_cli", StringComparison.Ordinal) ? ClientKind.GeminiCli
            : ClientKind.Other;
    }

    /// <summary>The session id and the attribute it came from, looked up on the item, then on the resource.</summary>
    public static (string? Id, string? Key) SessionOf(RepeatedField<KeyValue> item, RepeatedField<KeyValue>? resource)
    {
        foreach (var set in (ReadOnlySpan<RepeatedField<KeyValue>?>)[item, resource])
        {
            if (set is null)
            {
                continue;
            }

            foreach (var key in _sessionKeys)
            {
                if (OtlpAttributes.String(set, key) is { } id)
                {
                    return (id.Trim(), key);
                }
            }
        }

        return (null, null);
    }

    /// <summary>A day-long session for senders that name none, so their events still land in a session
    /// per service, machine and UTC day.</summary>
    public static string SyntheticSession(string? serviceName, string? machineKey, DateTime timestamp)
        => $"otlp:{Clip(serviceName ?? "unknown", 80)}:{Clip(machineKey ?? "unknown", 90)}:{timestamp:yyyy-MM-dd}";

    /// <summary>The event name: the OTLP <c>event_name</c> field (except Codex, which puts a source location
    /// there), else the <c>event.name</c> attribute, else a body that is a prefixed event name (Claude Code
    /// 2.1.328); with the client prefix removed. Null for plain logs.</summary>
    public static string? EventName(string client, OpenTelemetry.Proto.Logs.V1.LogRecord record)
    {
        var name = client != ClientKind.Codex && record.EventName.Length > 0 ? record.EventName : null;
        name ??= OtlpAttributes.String(record.Attributes, "event.name");
        if (name is null && record.Body?.ValueCase == AnyValue.ValueOneofCase.StringValue && HasEventPrefix(record.Body.StringValue))
        {
            name = record.Body.StringValue;
        }

        if (name is null)
        {
            return null;
        }

        foreach (var prefix in _eventPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length)
            {
                return OtlpAttributes.Clean(name[prefix.Length..]);
            }
        }

        return OtlpAttributes.Clean(name);
    }

    private static bool HasEventPrefix(string text)
    {
        foreach (var prefix in _eventPrefixes)
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal) && !text.Contains(' ', StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];
}
