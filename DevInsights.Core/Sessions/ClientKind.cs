namespace DevInsights.Core.Sessions;

/// <summary>The assistant that produced a session, stored as its lowercase wire name.</summary>
public static class ClientKind
{
    public const string ClaudeCode = "claude-code";
    public const string Codex = "codex";
    public const string GeminiCli = "gemini-cli";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [ClaudeCode, Codex, GeminiCli, Other];

    /// <summary>Maps the names clients and collectors use ("claude_code", "codex_cli_rs", ...) to a kind.</summary>
    public static string Normalize(string? value)
    {
        var v = value?.Trim().ToLowerInvariant().Replace('_', '-');
        return v switch
        {
            null or "" => Other,
            "claude-code" or "claude" => ClaudeCode,
            "gemini-cli" or "gemini" => GeminiCli,
            _ when v.StartsWith("codex", StringComparison.Ordinal) => Codex,
            _ => All.Contains(v) ? v : Other,
        };
    }
}
