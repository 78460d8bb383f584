using System.Security.Cryptography;
using System.Text;
using DevInsights.Core.Sessions;

namespace DevInsights.Core.Otlp.Attribution;

/// <summary>The client machine id a resource context is filed under. A host name is used as is (what people call the
/// machine); other sources are prefixed, so that the UI says where an opaque id came from.</summary>
public static class OtlpMachineKeys
{
    /// <summary>The machines table's limit on client machine ids.</summary>
    public const int MaxLength = 200;

    /// <summary>E.g. "devbox" (host.name), "host-id:4c4c…" (host.id), "claude-install:8af3…" (Claude Code's install id,
    /// sent as user.id when no host attribute is configured); null when the context names no machine.</summary>
    public static string? Of(OtlpResourceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(context.MachineKey)) return null;
        var key = context.MachineKey.Trim();
        var id = context.MachineKeySource switch
        {
            "host.name" => key,
            "host.id" => "host-id:" + key,
            "user.id" => (context.Client == ClientKind.ClaudeCode ? "claude-install:" : context.Client + "-install:") + key,
            _ => context.MachineKeySource + ":" + key,
        };
        // Stable and unique even when a client sends an absurdly long id.
        return id.Length <= MaxLength ? id : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    }
}
