using DevInsights.Core.Sessions;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;

namespace DevInsights.Core.Otlp;

/// <summary>
/// What an OTLP resource (and its first record of a session) says about where the session belongs. The
/// integration resolves it to ids (hierarchy service, users) and builds the writer's
/// <see cref="Ingestion.SessionContext"/>. Values are looked up on the resource first, then on the record:
/// Claude Code puts <c>user.*</c> only on records, and copies <c>OTEL_RESOURCE_ATTRIBUTES</c> onto both.
/// </summary>
public sealed record OtlpResourceContext
{
    /// <summary>claude-code, codex, gemini-cli or other (<see cref="ClientKind"/>).</summary>
    public required string Client { get; init; }
    public string? ServiceName { get; init; }
    public string? ServiceVersion { get; init; }

    /// <summary>The machine's client id: <c>host.id</c>, else <c>host.name</c>, else Claude Code's install id <c>user.id</c>.</summary>
    public string? MachineKey { get; init; }
    /// <summary>The attribute <see cref="MachineKey"/> came from ("host.id", "host.name" or "user.id").</summary>
    public string? MachineKeySource { get; init; }
    public string? HostName { get; init; }
    public string? OsType { get; init; }
    public string? OsVersion { get; init; }
    public string? HostArch { get; init; }

    /// <summary><c>vcs.repository.url.full</c> (to be normalised with <see cref="Hierarchy.RepositoryUrl"/>).</summary>
    public string? RepositoryUrl { get; init; }
    /// <summary><c>vcs.ref.head.name</c>.</summary>
    public string? Branch { get; init; }
    /// <summary><c>devinsights.project</c>: an explicit project key or name set by the admin.</summary>
    public string? Project { get; init; }
    /// <summary><c>devinsights.workspace</c>: an explicit workspace id.</summary>
    public string? Workspace { get; init; }

    public string? UserEmail { get; init; }
    /// <summary><c>user.account_uuid</c> (Claude Code) or <c>user.account_id</c> (Codex).</summary>
    public string? UserAccountId { get; init; }
    /// <summary><c>user.id</c>: Claude Code's anonymous install id.</summary>
    public string? UserId { get; init; }

    /// <summary>The resource attributes as a JSON object (limited like record attributes).</summary>
    public string? ResourceAttributesJson { get; init; }

    /// <summary>Identities to match a developer by, strongest first: email, account id, install id.</summary>
    public IReadOnlyList<string> DeveloperCandidates =>
        new[] { UserEmail, UserAccountId, UserId }.OfType<string>().ToArray();

    internal static OtlpResourceContext Create(
        string client, RepeatedField<KeyValue>? resource, RepeatedField<KeyValue>? item, string? resourceJson)
    {
        string? Get(params ReadOnlySpan<string> keys) => OtlpAttributes.First(resource, item, keys);

        var (machineKey, source) = Get("host.id") is { } hostId ? (hostId, "host.id")
            : Get("host.name") is { } hostName ? (hostName, "host.name")
            : Get("user.id") is { } userId ? (userId, "user.id")
            : ((string?)null, (string?)null);
        return new OtlpResourceContext
        {
            Client = client,
            ServiceName = Get("service.name"),
            ServiceVersion = Get("service.version"),
            MachineKey = machineKey,
            MachineKeySource = source,
            HostName = Get("host.name"),
            // Codex's metrics resource says "os"/"os_version" instead of the semantic-convention names.
            OsType = Get("os.type", "os"),
            OsVersion = Get("os.version", "os_version"),
            HostArch = Get("host.arch"),
            RepositoryUrl = Get("vcs.repository.url.full"),
            Branch = Get("vcs.ref.head.name"),
            Project = Get("devinsights.project"),
            Workspace = Get("devinsights.workspace"),
            UserEmail = Get("user.email"),
            UserAccountId = Get("user.account_uuid", "user.account_id"),
            UserId = Get("user.id"),
            ResourceAttributesJson = resourceJson,
        };
    }
}
