using System.Net;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Identity;

public sealed class LoginTests
{
    private const string AdminEmail = "boss@example.test";
    private const string AdminPassword = "Bootstrap-pass-1";

    private static Task<DevInsightsFactory> CreateAsync() => DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite,
        new Dictionary<string, string?> { ["DevInsights:Bootstrap:AdminEmail"] = AdminEmail, ["DevInsights:Bootstrap:AdminPassword"] = AdminPassword });

    [Fact]
    public async Task Pages_redirect_anonymous_visitors_to_the_login_form()
    {
        await using var factory = await CreateAsync();
        var client = BrowserLikeClient.Create(factory);
        var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Bootstrapped_admin_signs_in_and_sees_the_overview()
    {
        await using var factory = await CreateAsync();
        var client = BrowserLikeClient.Create(factory);
        var login = await BrowserLikeClient.SignInAsync(client, AdminEmail, AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.AbsolutePath);

        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Overview", await home.Content.ReadAsStringAsync());

        await using var db = await factory.DbAsync();
        Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.Action == "login" && a.Target == AdminEmail));
    }

    [Fact]
    public async Task Wrong_password_fails_and_five_failures_lock_the_account()
    {
        await using var factory = await CreateAsync();
        var client = BrowserLikeClient.Create(factory);
        for (var i = 0; i < 5; i++)
        {
            var wrong = await BrowserLikeClient.SignInAsync(client, AdminEmail, "not-the-password");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains(i < 4 ? "Invalid email or password." : "locked", await wrong.Content.ReadAsStringAsync());
        }
        var right = await BrowserLikeClient.SignInAsync(client, AdminEmail, AdminPassword);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync());
    }
}
