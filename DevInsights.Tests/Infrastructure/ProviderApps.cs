using System.Collections.Concurrent;
using DevInsights.Core.Configuration;

namespace DevInsights.Tests.Infrastructure;

/// <summary>One app per database provider for a whole test class, started on first use; each test still owns
/// its users, sessions and rows (unique ids), so tests never depend on each other's data.</summary>
public sealed class ProviderApps : IAsyncLifetime
{
    private readonly ConcurrentDictionary<DatabaseProvider, Lazy<Task<DevInsightsFactory>>> _apps = new();

    public Task<DevInsightsFactory> GetAsync(DatabaseProvider provider) =>
        _apps.GetOrAdd(provider, p => new Lazy<Task<DevInsightsFactory>>(() => DevInsightsFactory.CreateAsync(p))).Value;

    public static string UniqueEmail(string who = "user") => $"{who}-{Guid.NewGuid():N}@example.test";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps.Values.Where(a => a.IsValueCreated))
            await (await app.Value).DisposeAsync();
    }
}
