using DevInsights.Core.Data.Migrations;
using DevInsights.Core.Identity;
using Microsoft.AspNetCore.Identity;

namespace DevInsights.Web.Hosting;

/// <summary>Brings the schema up to date and seeds the roles before the server starts listening.</summary>
/// <remarks>Safe to run twice and from two hosts at once (tests run a TestServer and a Kestrel host side by side).</remarks>
public sealed class DatabaseInitializer(IServiceProvider services, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var migrator = services.GetRequiredService<SchemaMigrator>();
        var applied = await migrator.MigrateAsync(ct: ct);
        if (applied > 0) logger.LogInformation("Applied {Count} schema migration(s)", applied);

        using var scope = services.CreateScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (await roles.RoleExistsAsync(role)) continue;
            var result = await roles.CreateAsync(new IdentityRole(role));
            // Another host may have created it in between: only a real failure matters.
            if (!result.Succeeded && !await roles.RoleExistsAsync(role))
                throw new InvalidOperationException($"Could not create role {role}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
