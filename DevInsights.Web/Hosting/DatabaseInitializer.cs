using DevInsights.Core.Configuration;
using DevInsights.Core.Data.Migrations;
using DevInsights.Core.Identity;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Hosting;

/// <summary>Brings the schema up to date and seeds the roles before the server starts listening.</summary>
/// <remarks>Safe to run twice and from two hosts at once (tests run a TestServer and a Kestrel host side by side).</remarks>
public sealed class DatabaseInitializer(IServiceProvider services, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => InitializeAsync(offerSetupLink: true, ct);

    /// <param name="offerSetupLink">False for admin commands: their stdout is for scripts, and they can create an admin themselves.</param>
    public async Task InitializeAsync(bool offerSetupLink, CancellationToken ct)
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
        await BootstrapAdminAsync(scope.ServiceProvider, offerSetupLink);
    }

    private async Task BootstrapAdminAsync(IServiceProvider scoped, bool offerSetupLink)
    {
        var users = scoped.GetRequiredService<UserManager<AppUser>>();
        if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0) return;

        var bootstrap = scoped.GetRequiredService<IOptions<DevInsightsOptions>>().Value.Bootstrap;
        if (!string.IsNullOrWhiteSpace(bootstrap.AdminEmail))
        {
            var admin = await users.FindByEmailAsync(bootstrap.AdminEmail);
            var result = IdentityResult.Success;
            if (admin is null)
            {
                admin = new AppUser { UserName = bootstrap.AdminEmail, Email = bootstrap.AdminEmail, EmailConfirmed = true, CreatedAt = DateTime.UtcNow };
                result = await users.CreateAsync(admin, bootstrap.AdminPassword!);
            }
            if (result.Succeeded) result = await users.AddToRoleAsync(admin, Roles.Admin);
            if (!result.Succeeded)
                throw new InvalidOperationException("DevInsights:Bootstrap:AdminEmail: could not create the administrator: " + string.Join("; ", result.Errors.Select(e => e.Description)));
            logger.LogInformation("Created the administrator {Email} from DevInsights:Bootstrap", bootstrap.AdminEmail);
            return;
        }

        if (!offerSetupLink) return;
        var token = services.GetRequiredService<SetupToken>();
        token.Active = true;
        // Printed, not logged at a level that may be filtered: the operator needs it to sign in the first time.
        Console.WriteLine($"No administrator exists yet. Open /setup?token={token.Value} on this server to create one, or run: admin create-user <email> --role Admin");
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
