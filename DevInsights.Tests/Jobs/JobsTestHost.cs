using Microsoft.EntityFrameworkCore;
using DevInsights.Core.Data;
using DevInsights.Core.Configuration;
using DevInsights.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Jobs;

/// <summary>The whole app on a throwaway database with extra services (test jobs, fakes) registered.</summary>
public sealed class JobsTestHost : IAsyncDisposable
{
    private readonly DevInsightsFactory _base;

    private JobsTestHost(DevInsightsFactory @base, WebApplicationFactory<Program> app)
    {
        _base = @base;
        App = app;
    }

    public WebApplicationFactory<Program> App { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>A context on the host's database, for arranging and asserting.</summary>
    public Task<DevInsightsDbContext> DbAsync() =>
        Services.GetRequiredService<IDbContextFactory<DevInsightsDbContext>>().CreateDbContextAsync();

    public TestDatabase Database => _base.Database;

    public static async Task<JobsTestHost> CreateAsync(DatabaseProvider provider, Action<IServiceCollection> services,
        IDictionary<string, string?>? settings = null) =>
        Create(await TestDatabase.CreateAsync(provider), services, settings);

    /// <summary>A host on an existing database (a restart: dispose the previous host with <see cref="StopAsync"/> first).</summary>
    public static JobsTestHost Create(TestDatabase database, Action<IServiceCollection> services, IDictionary<string, string?>? settings = null)
    {
        var @base = new DevInsightsFactory(database, settings);
        var app = @base.WithWebHostBuilder(b => b.ConfigureTestServices(services));
        _ = app.Server; // start now: migrations and the scheduler run before the first request
        return new JobsTestHost(@base, app);
    }

    /// <summary>A client with a fresh API key of a new user in <paramref name="role"/>.</summary>
    public async Task<HttpClient> ClientAsync(string role) =>
        (await DevInsightsFactory.CreateUserClientAsync(Services, App.CreateClient, role)).Client;

    /// <summary>Stops the app but keeps its database for the next host.</summary>
    public async Task StopAsync() => await App.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _base.DisposeAsync();
    }
}
