using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Data.Migrations;
using DevInsights.Core.Identity;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Radzen;

namespace DevInsights.Web.Hosting;

/// <summary>All service wiring of the app; <c>Program</c> only calls this and <see cref="DevInsightsEndpoints"/>.</summary>
public static class DevInsightsServices
{
    /// <summary>The default scheme: API key when the request carries one, else the Identity cookie.</summary>
    public const string SmartScheme = "DevInsights";

    public static WebApplicationBuilder AddDevInsights(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<DevInsightsOptions>().BindConfiguration(DevInsightsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DevInsightsOptions>, DevInsightsOptionsValidator>();

        // Data: settings are read lazily through options so test hosts can override them.
        services.AddSingleton<DatabaseConnections>();
        services.AddDbContextFactory<DevInsightsDbContext>((sp, o) =>
        {
            sp.GetRequiredService<DatabaseConnections>().Configure(o);
            // The schema comes from SchemaMigrator's scripts, not from EF migrations.
            o.ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning));
        });
        services.AddSingleton<SchemaMigrator>();
        services.AddHostedService<DatabaseInitializer>();

        // Identity and authentication.
        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<DevInsightsDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddSingleton<ApiKeyService>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SmartScheme;
                o.DefaultChallengeScheme = SmartScheme;
            })
            .AddPolicyScheme(SmartScheme, "API key or cookie", o =>
                o.ForwardDefaultSelector = ctx => ApiKeyAuthenticationHandler.ReadKey(ctx.Request) is not null
                    || ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/v1")
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();

        // HTTP surface.
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddRadzenComponents();
        services.AddIngestion();
        return builder;
    }
}
