using System.Net;
using DevInsights.Core.Identity;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Otlp.Integration;
using DevInsights.Tests.Sessions;
using Microsoft.Playwright;
using static DevInsights.Tests.Browser.AdminBrowserTests;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Browser;

/// <summary>The telemetry identities page, the 403 page for a wrong role, and a developer's own keys on /me.</summary>
[Trait("Category", "Browser")]
public sealed class IdentityBrowserTests
{
    private const string DeveloperPassword = "Test-password-123";

    [Fact]
    public async Task Admin_links_an_unlinked_install_id_and_the_next_session_is_the_developers()
    {
        await using var host = await BrowserHost.StartAsync();
        var (collector, _) = await UserAsync(host, Roles.Developer);
        var (_, developerId, developerEmail) = await UserWithEmailAsync(host);
        var (install, otherInstall) = (NewInstallId(), NewInstallId());
        await collector.PostRequestsAsync(ClaudeLogs(NewSessionId(), (InstallId, install)));
        await collector.PostRequestsAsync(ClaudeLogs(NewSessionId(), (InstallId, otherInstall)));

        var page = await host.SignedInPageAsync();
        await page.GotoAsync("/admin/identities");
        await WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=applies-to-new]")).ToContainTextAsync("Linking applies to new telemetry");
        await page.Locator("#identity-linked").GetByText("Unlinked (").ClickAsync();
        var row = page.Locator("tr", new() { Has = page.Locator($"code:text-is('{install}')") });
        await Assertions.Expect(row).ToContainTextAsync("Unlinked");

        await row.Locator(".di-link-identity").ClickAsync();
        await page.ClickAsync("#link-user");
        await page.Locator(".rz-dropdown-item", new() { HasText = developerEmail }).ClickAsync();
        await page.ClickAsync("#confirm-link");
        // Linked: it leaves the unlinked list; under "Linked" it names the developer.
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await DialogsClosedAsync(page);
        await page.Locator("#identity-linked").GetByText("Linked", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(row.Locator(".di-identity-user")).ToHaveTextAsync(developerEmail);
        await page.Locator("#identity-linked").GetByText("All", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("tr", new() { Has = page.Locator($"code:text-is('{otherInstall}')") })).ToContainTextAsync("Unlinked");
        await page.Mouse.MoveAsync(0, 700);
        await BrowserHost.ScreenshotAsync(page, "admin-identities");

        var after = NewSessionId();
        await collector.PostRequestsAsync(ClaudeLogs(after, (InstallId, install)));
        Assert.Equal(developerId, (await host.Factory.FiguresAsync(after)).DeveloperId);
    }

    [Fact]
    public async Task A_developer_opening_an_admin_page_gets_403_naming_who_they_are_and_can_switch_account()
    {
        await using var host = await BrowserHost.StartAsync();
        var (_, _, email) = await UserWithEmailAsync(host);
        var page = await host.SignedInPageAsync(email, DeveloperPassword);

        var response = await page.GotoAsync("/admin/keys");
        Assert.Equal((int)HttpStatusCode.Forbidden, response!.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Access denied");
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync(email);
        await Assertions.Expect(page.Locator("[data-testid=access-denied]")).ToContainTextAsync("(Developer). Your role does not allow /admin/keys.");
        await BrowserHost.ScreenshotAsync(page, "access-denied");

        // Signing out comes back to the sign-in form, which returns to the refused page afterwards.
        await page.ClickAsync("[data-testid=sign-out]");
        await page.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
        Assert.EndsWith("/account/login?returnUrl=%2Fadmin%2Fkeys", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#email", BrowserHost.AdminEmail);
        await page.FillAsync("#password", BrowserHost.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => url.EndsWith("/admin/keys", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("API keys");
    }

    [Fact]
    public async Task A_developer_issues_a_key_on_the_me_page_uses_it_and_revokes_it()
    {
        await using var host = await BrowserHost.StartAsync();
        var (_, _, email) = await UserWithEmailAsync(host);
        var page = await host.SignedInPageAsync(email, DeveloperPassword);
        await page.GotoAsync("/me");
        await WaitForCircuitAsync(page);

        await page.FillAsync("#my-key-name", "laptop");
        await page.ClickAsync("#issue-my-key");
        var keyBox = page.Locator("#issued-key");
        await Assertions.Expect(keyBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^dvi_"));
        var secret = await keyBox.InputValueAsync();
        await page.ClickAsync("text=Done");
        await DialogsClosedAsync(page);

        using var collector = KeyClient(host, secret);
        Assert.Equal(email, (await collector.GetJsonAsync("/api/v1/me")).GetProperty("email").GetString());
        var prefix = secret[..12];
        var keys = page.Locator("[data-testid=my-keys]");
        await Assertions.Expect(keys.Locator("tr", new() { HasText = "laptop" })).ToContainTextAsync(prefix);
        await keys.ScrollIntoViewIfNeededAsync();
        await BrowserHost.ScreenshotAsync(page, "me-keys");

        await page.Locator($".di-revoke-mine[data-prefix='{prefix}']").ClickAsync();
        await page.ClickAsync(".rz-dialog-confirm-buttons button:has-text('Revoke')");
        await Assertions.Expect(page.Locator($".di-revoke-mine[data-prefix='{prefix}']")).ToHaveCountAsync(0);
        await collector.GetJsonAsync("/api/v1/me", HttpStatusCode.Unauthorized);
    }

    private static async Task<(HttpClient Client, string Id)> UserAsync(BrowserHost host, string role)
    {
        var (_, id, key) = await host.Factory.CreateUserClientAsync(role);
        return (KeyClient(host, key), id);
    }

    /// <summary>A developer who can sign in (password <see cref="DeveloperPassword"/>).</summary>
    private static async Task<(HttpClient Client, string Id, string Email)> UserWithEmailAsync(BrowserHost host)
    {
        var email = ProviderApps.UniqueEmail("dev");
        var (_, id, key) = await host.Factory.CreateUserClientAsync(Roles.Developer, email);
        return (KeyClient(host, key), id, email);
    }

    private static HttpClient KeyClient(BrowserHost host, string key)
    {
        var client = host.Factory.CreateClient();
        client.BaseAddress = host.BaseAddress;
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }
}
