using DevInsights.Core.Configuration;
using DevInsights.Tests.Infrastructure;

namespace DevInsights.Tests.Admin;

/// <summary>One app per provider for a test class, started on first use; tests keep to their own users (unique
/// emails), so sharing the host costs no isolation.</summary>
public sealed class ProviderFactories : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<DatabaseProvider, DevInsightsFactory> _factories = [];

    public async Task<DevInsightsFactory> GetAsync(DatabaseProvider provider)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_factories.TryGetValue(provider, out var factory))
                _factories[provider] = factory = await DevInsightsFactory.CreateAsync(provider);
            return factory;
        }
        finally
        {
            _gate.Release();
        }
    }

    public static string UniqueEmail(string who = "user") => $"{who}-{Guid.NewGuid():N}@example.test";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var factory in _factories.Values) await factory.DisposeAsync();
        _gate.Dispose();
    }
}
