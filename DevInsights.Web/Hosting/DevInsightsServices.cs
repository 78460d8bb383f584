using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Data.Migrations;
using DevInsights.Core.Identity;
using DevInsights.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
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
        services.AddSingleton<DevInsights.Core.Live.LiveUpdates>();

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
        services.AddScoped<IUserClaimsPrincipalFactory<AppUser>, DevInsightsClaimsFactory>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<SetupToken>();
        // Sign-in cookies must survive restarts (and containers): keep the data-protection keys in the data directory.
        services.AddDataProtection();
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<IOptions<DevInsightsOptions>, ILoggerFactory>((o, di, logs) => o.XmlRepository =
                new Microsoft.AspNetCore.DataProtection.Repositories.FileSystemXmlRepository(
                    new DirectoryInfo(Path.Combine(Path.GetFullPath(di.Value.DataDirectory), "keys")), logs));
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SmartScheme;
                o.DefaultChallengeScheme = SmartScheme;
            })
            .AddPolicyScheme(SmartScheme, "API key or cookie", o =>
                o.ForwardDefaultSelector = ctx => ApiKeyAuthenticationHandler.ReadKey(ctx.Request) is not null
                    || ctx.Request.Path.StartsWithSegments("/v1")
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.AccessDeniedPath = AccessDeniedResponse.Path;
            o.Cookie.Name = "devinsights.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            // The API answers 401/403 problem details to browsers too; pages redirect to the login form when signed out,
            // and answer 403 with the access-denied page when the role does not allow them.
            o.Events.OnRedirectToLogin = ctx => IsApi(ctx.Request) ? Problem(ctx.HttpContext, 401, "Sign in or send an API key.") : Redirect(ctx);
            o.Events.OnRedirectToAccessDenied = ctx => IsApi(ctx.Request) ? Problem(ctx.HttpContext, 403, "Your role does not allow this operation.")
                : AccessDeniedResponse.WriteAsync(ctx.HttpContext);
        });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();

        // HTTP surface.
        services.AddDevInsightsRateLimits();
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddRadzenComponents();

        // Features (one line each).
        services.AddSessions();
        services.AddAdministration();
        services.AddHierarchy();
        services.AddIngestion();
        services.AddTeam();
        services.AddDashboard();
        services.AddOtlp();
        services.AddIdentityAdministration();
        services.AddJobs();
        services.AddCosts();
        services.AddRollups();
        return builder;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/v1");

    private static Task Problem(HttpContext http, int status, string detail) =>
        Results.Problem(statusCode: status, detail: detail).ExecuteAsync(http);

    private static Task Redirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx)
    {
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
