using Microsoft.EntityFrameworkCore;
using DevInsights.Core.Data;
using System.Net.Http.Headers;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Infrastructure;

/// <summary>The whole app on a throwaway database of the given provider, through the in-memory test server.</summary>
public sealed class DevInsightsFactory(TestDatabase database, IDictionary<string, string?>? overrides = null)
    : WebApplicationFactory<Program>
{
    public TestDatabase Database { get; } = database;

    public static async Task<DevInsightsFactory> CreateAsync(DatabaseProvider provider, IDictionary<string, string?>? overrides = null)
    {
        var factory = new DevInsightsFactory(await TestDatabase.CreateAsync(provider), overrides);
        _ = factory.Server; // start now: migrations run before the first request
        return factory;
    }

    /// <summary>A context on the app's own database, for arranging and asserting.</summary>
    public Task<DevInsightsDbContext> DbAsync() =>
        Services.GetRequiredService<IDbContextFactory<DevInsightsDbContext>>().CreateDbContextAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in Database.Settings()) builder.UseSetting(key, value);
        // Test hosts run side by side: none listens for OTLP/gRPC unless its test asks for a port.
        builder.UseSetting("DevInsights:Otlp:GrpcPort", "0");
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
    }

    /// <summary>Creates a user with a role and returns a client authenticated with a fresh API key.</summary>
    public Task<(HttpClient Client, string UserId, string Key)> CreateUserClientAsync(string role = Roles.Developer, string? email = null) =>
        CreateUserClientAsync(Services, CreateClient, role, email);

    /// <summary>The same against any host's services (e.g. a factory derived with extra services).</summary>
    public static async Task<(HttpClient Client, string UserId, string Key)> CreateUserClientAsync(IServiceProvider services,
        Func<HttpClient> createClient, string role = Roles.Developer, string? email = null)
    {
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.test";
        using var scope = services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, CreatedAt = DateTime.UtcNow, EmailConfirmed = true };
        var created = await users.CreateAsync(user, "Test-password-123");
        if (!created.Succeeded) throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(user, role);
        var key = await services.GetRequiredService<ApiKeyService>().IssueAsync(user.Id, "test");
        var client = createClient();
        client.DefaultRequestHeaders.Add("X-API-Key", key.Secret);
        return (client, user.Id, key.Secret);
    }

    public static void UseBearer(HttpClient client, string key) =>
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
    }
}
