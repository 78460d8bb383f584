using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DevInsights.Core.Hierarchy;

/// <summary>
/// A git remote reduced to one canonical web address, so the same repository cloned over SSH or HTTPS,
/// with or without credentials, ".git" or a trailing slash, maps to a single key.
/// </summary>
/// <param name="Host">Lowercase host; carries ":port" only for a non-default HTTP(S) port, so <c>https://{Host}</c> is the web root.</param>
/// <param name="Owner">Everything between host and repository; may contain '/' (GitLab subgroups, Azure DevOps "org/project").</param>
/// <param name="Name">Repository name without ".git".</param>
/// <param name="Normalized"><c>https://{Host}/{Owner}/{Name}</c>; Azure DevOps keeps its <c>/_git/</c> route segment.</param>
public sealed record RepositoryUrl(string Host, string Owner, string Name, string Normalized)
{
    // These hosts resolve owner/repo case-insensitively, so "Acme/API" and "acme/api" are the same repository.
    // Self-hosted servers may be case-sensitive, so their paths are kept verbatim.
    private static readonly HashSet<string> _caseInsensitiveHosts = new(StringComparer.Ordinal)
    {
        "github.com", "gitlab.com", "bitbucket.org",
    };

    // file:// (and anything else) is deliberately absent: local clones have no shareable identity.
    private static readonly HashSet<string> _remoteSchemes = new(StringComparer.Ordinal)
    {
        "https", "http", "ssh", "git", "git+ssh", "ssh+git",
    };

    public string FullName => Owner + "/" + Name;

    public override string ToString() => Normalized;

    public static RepositoryUrl Parse(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return TryParse(input, out var url)
            ? url
            : throw new ArgumentException(
                $"'{Redact(input.Trim())}' is not a remote git repository URL. Expected a form such as " +
                "https://host/owner/repo or git@host:owner/repo.git; local paths and file:// URLs are not supported.",
                nameof(input));
    }

    public static bool TryParse([NotNullWhen(true)] string? input, [NotNullWhen(true)] out RepositoryUrl? url)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(input))
        {
            return false;
        }

        var text = input.Trim();
        var parts = text.Contains("://", StringComparison.Ordinal) ? SplitUri(text) : SplitScpLike(text);
        if (parts is not { } p)
        {
            return false;
        }

        url = Build(p.Host, p.Segments);
        return url is not null;
    }

    // scheme://[user[:pass]@]host[:port]/path — Uri already strips credentials and knows default ports.
    private static (string Host, string[] Segments)? SplitUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !_remoteSchemes.Contains(uri.Scheme) || uri.Host.Length == 0)
        {
            return null;
        }

        var host = uri.Host.ToLowerInvariant();
        // Only an HTTP(S) port belongs to the web address; an ssh:// or git:// port is the transport's, not the UI's.
        // 443 is dropped even for http:// because the normalized form is always https.
        if (uri.Scheme is "https" or "http" && !uri.IsDefaultPort && uri.Port != 443)
        {
            host += ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        }

        return (host, uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries));
    }

    // scp-like "[user@]host:path". Like git, only treat it as remote when the ':' comes before any '/',
    // otherwise "./a:b" or "/tmp/x:y" would be read as hosts.
    private static (string Host, string[] Segments)? SplitScpLike(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (colon <= 0 || (slash >= 0 && slash < colon))
        {
            return null;
        }

        var userAndHost = text[..colon];
        var host = userAndHost[(userAndHost.LastIndexOf('@') + 1)..].ToLowerInvariant();
        // A one-letter host is a Windows drive ("C:\src\repo"); a scheme name is a typo such as "https:/host/x".
        if (host.Length < 2 || host == "file" || _remoteSchemes.Contains(host)
            || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            return null;
        }

        return (host, text[(colon + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries));
    }

    private static RepositoryUrl? Build(string host, string[] rawSegments)
    {
        var lowerPath = _caseInsensitiveHosts.Contains(host);
        var segments = new List<string>(rawSegments.Length);
        foreach (var raw in rawSegments)
        {
            // Unescape then re-escape so "My Project" and "My%20Project" (https vs ssh spelling) compare equal.
            var segment = Uri.UnescapeDataString(raw);
            if (segment is "." or "..")
            {
                return null;
            }

            segments.Add(Uri.EscapeDataString(lowerPath ? segment.ToLowerInvariant() : segment));
        }

        if (segments.Count > 0 && segments[^1].EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            segments[^1] = segments[^1][..^4];
        }

        // Azure DevOps SSH (ssh.dev.azure.com:v3/org/project/repo) is the same repo as https://dev.azure.com/org/project/_git/repo.
        if (host == "ssh.dev.azure.com" && segments.Count == 4 && segments[0] == "v3")
        {
            host = "dev.azure.com";
            segments = [segments[1], segments[2], "_git", segments[3]];
        }

        // Azure DevOps / TFS route ".../{project}/_git/{repo}": "_git" is routing, part of neither owner nor name,
        // and anywhere else (no owner before it, extra segments after the repo) it means we would mis-split the path.
        var azureRoute = segments.Count >= 3 && IsGitRoute(segments[^2]);
        var ownerCount = segments.Count - (azureRoute ? 2 : 1);
        if (ownerCount < 1 || segments[^1].Length == 0 || segments.Take(ownerCount).Any(IsGitRoute))
        {
            return null;
        }

        var owner = string.Join('/', segments.Take(ownerCount));
        var name = segments[^1];
        var path = azureRoute ? $"{owner}/_git/{name}" : $"{owner}/{name}";
        return new RepositoryUrl(host, owner, name, $"https://{host}/{path}");
    }

    private static bool IsGitRoute(string segment) => string.Equals(segment, "_git", StringComparison.OrdinalIgnoreCase);

    // Never echo credentials (https://user:token@host/..., a token may be the user name alone) into messages or logs.
    private static string Redact(string input)
    {
        var scheme = input.IndexOf("://", StringComparison.Ordinal);
        var start = scheme < 0 ? 0 : scheme + 3;
        var end = input.IndexOf('/', start);
        var at = input.AsSpan(start, (end < 0 ? input.Length : end) - start).LastIndexOf('@');
        return at < 0 ? input : input[..start] + "***" + input[(start + at)..];
    }
}
