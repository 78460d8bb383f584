using System.Security.Claims;
using Bunit;
using DevInsights.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Radzen;
using Radzen.Blazor.Rendering;

namespace DevInsights.Tests.Dashboard;

/// <summary>One SQLite app with a seeded team in its own window of days, shared by the component tests of a class.</summary>
public sealed class SeededAppFixture : IAsyncLifetime
{
    public static readonly DateOnly LastDay = new(2033, 5, 20);

    public DevInsightsFactory App { get; private set; } = default!;
    public SeededTeam Team { get; private set; } = default!;
    public SeededDeveloper Lead { get; private set; } = default!;

    /// <summary>The whole seeded window as the URL's custom range.</summary>
    public string RangeQuery => Team.RangeQuery;

    public async Task InitializeAsync()
    {
        App = await DevInsightsFactory.CreateAsync(Core.Configuration.DatabaseProvider.Sqlite);
        Team = await DashboardData.SeedTeamAsync(App, LastDay, days: 10);
        Lead = await DashboardData.CreateDeveloperAsync(App, $"lead-{Guid.NewGuid():N}@example.test", "Lea Lead", false, Core.Identity.Roles.TeamLead);
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>A bunit context wired to the real app's services (queries, database, live updates), signed in as a user.</summary>
public static class ComponentTestKit
{
    public static BunitContext Context(DevInsightsFactory app, SeededDeveloper user, string role) =>
        Context(app.Services, user.Email, user.Id, role);

    /// <summary>The same against any host's services.</summary>
    public static BunitContext Context(IServiceProvider services, string email, string userId, string role)
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        // RadzenChart measures itself through JS before drawing; give it a size.
        ctx.JSInterop.Setup<Rect>("Radzen.createChart", _ => true).SetResult(new Rect { Width = 600, Height = 300 });
        ctx.Services.AddRadzenComponents();
        ctx.Services.AddFallbackServiceProvider(services);
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized(email);
        auth.SetRoles(role);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
        return ctx;
    }

    /// <summary>Points the test navigation manager at <paramref name="url"/>, where pages read their query string.</summary>
    public static void GoTo(BunitContext ctx, string url) =>
        ctx.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(url);
}
