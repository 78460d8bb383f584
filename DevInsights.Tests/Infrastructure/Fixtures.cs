namespace DevInsights.Tests.Infrastructure;

/// <summary>The real CLI payloads of ../shared/fixtures, used as they are.</summary>
public static class Fixtures
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("DEVINSIGHTS_FIXTURES");
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        // The fixtures live beside the repository (../shared/fixtures) on our machines, or inside it once vendored.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "fixtures"), Path.Combine(dir.FullName, "DevInsights.Tests", "Fixtures", "shared") })
                if (Directory.Exists(Path.Combine(candidate, "claude-code-2.1.328"))) return candidate;
        }
        throw new DirectoryNotFoundException("Telemetry fixtures not found: set DEVINSIGHTS_FIXTURES or keep ../shared/fixtures beside the repository.");
    }
}
