using System.Security.Cryptography;
using System.Text;

namespace DevInsights.Core.Hierarchy;

/// <summary>What a project row is created from: its unique key and display names, clamped to the column sizes.</summary>
internal sealed record ProjectIdentity(string Key, string Name, string FullName, string? RepositoryUrl, string? Host, string? Owner)
{
    private const int MaxKey = 600;
    private const int MaxName = 200;
    private const int MaxFullName = 400;
    private const int MaxOwner = 200;

    public static readonly ProjectIdentity Unassigned = new(Project.UnassignedKey, "Unassigned", "Unassigned", null, null, null);

    /// <summary>The project of a remote repository, or null when <paramref name="repoUrl"/> is not a usable remote.</summary>
    public static ProjectIdentity? FromRemote(string? repoUrl)
    {
        if (!Hierarchy.RepositoryUrl.TryParse(repoUrl, out var url) || url.Normalized.Length > HierarchyValidation.MaxRepoUrlChars)
            return null;
        return new ProjectIdentity(url.Normalized, Clamp(url.Name, MaxName), Clamp(url.FullName, MaxFullName), url.Normalized,
            Clamp(url.Host, MaxName), Clamp(url.Owner, MaxOwner));
    }

    /// <summary>A project an administrator names in telemetry (<c>devinsights.project=payments</c>) rather than by
    /// its repository: the same name, in any letter case, is the same project.</summary>
    public static ProjectIdentity Named(string name)
    {
        var trimmed = name.Trim();
        var key = "name:" + trimmed.ToLowerInvariant();
        if (key.Length > MaxKey)
            key = "name:sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(trimmed.ToLowerInvariant())));
        return new ProjectIdentity(key, Clamp(trimmed, MaxName), Clamp(trimmed, MaxFullName), null, null, null);
    }

    /// <summary>A folder without a remote: only the same path on the same machine is the same project.</summary>
    public static ProjectIdentity Local(string clientMachineId, string path)
    {
        var normalized = TrimTrailingSeparators(path.Trim());
        var key = $"local:{clientMachineId}:{normalized}";
        if (key.Length > MaxKey)
        {
            // Still stable and unique: a hash stands in for a machine id and path too long for the key column.
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientMachineId + "\n" + normalized)));
            key = $"local:sha256:{hash}";
        }
        var name = FolderName(normalized);
        // The full name shows where it lives; a very long path keeps its more telling end.
        var fullName = normalized.Length <= MaxFullName ? normalized : "…" + normalized[^(MaxFullName - 1)..];
        return new ProjectIdentity(key, Clamp(name, MaxName), fullName, null, null, null);
    }

    internal static string FolderName(string path)
    {
        var trimmed = TrimTrailingSeparators(path);
        var cut = trimmed.LastIndexOfAny(['/', '\\']);
        var name = cut < 0 ? trimmed : trimmed[(cut + 1)..];
        return name.Length > 0 ? name : trimmed;
    }

    // "/src/app/" and "/src/app" are one folder; "/" and "C:\" stay as they are.
    private static string TrimTrailingSeparators(string path)
    {
        var end = path.Length;
        while (end > 1 && path[end - 1] is '/' or '\\' && path[end - 2] != ':') end--;
        return path[..end];
    }

    private static string Clamp(string value, int max) => value.Length <= max ? value : value[..max];
}
