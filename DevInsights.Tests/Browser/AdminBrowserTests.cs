using System.Net;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using Microsoft.Playwright;

namespace DevInsights.Tests.Browser;

[Trait("Category", "Browser")]
public sealed class AdminBrowserTests
{
    [Fact]
    public async Task Admin_creates_a_user_issues_a_key_that_works_then_revokes_it_in_the_page()
    {
        await using var host = await BrowserHost.StartAsync();
        var page = await host.SignedInPageAsync();
        var email = $"dev-{Guid.NewGuid():N}"[..16] + "@example.test";

        // Create a user on /admin/users: the first key is shown once, then the user is in the list.
        await page.GotoAsync("/admin/users");
        await WaitForCircuitAsync(page);
        await page.FillAsync("#new-email", email);
        await page.FillAsync("#new-password", "Initial-password-1");
        await page.ClickAsync("#create-user");
        await Assertions.Expect(page.Locator("#issued-key")).ToBeVisibleAsync();
        await page.ClickAsync("text=Done");
        await Assertions.Expect(page.Locator(".di-user-email", new() { HasText = email })).ToBeVisibleAsync();
        await DialogsClosedAsync(page);
        await BrowserHost.ScreenshotAsync(page, "admin-users");

        // Issue a key for the user on /admin/keys and read it from the dialog.
        await page.GotoAsync("/admin/keys");
        await WaitForCircuitAsync(page);
        await page.ClickAsync("#key-owner");
        await page.Locator(".rz-dropdown-item", new() { HasText = email }).ClickAsync();
        await page.FillAsync("#key-name", "laptop collector");
        await page.ClickAsync("#issue-key");
        var keyBox = page.Locator("#issued-key");
        await Assertions.Expect(keyBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^dvi_"));
        var secret = await keyBox.InputValueAsync();
        await BrowserHost.ScreenshotAsync(page, "admin-keys-issued");
        await page.ClickAsync("text=Done");

        using var collector = host.Factory.CreateClient();
        collector.BaseAddress = host.BaseAddress;
        collector.DefaultRequestHeaders.Add("X-API-Key", secret);
        var sessionId = IngestionTestKit.NewSessionId();
        using (var ok = await collector.PostEventsAsync(IngestionTestKit.Turn(sessionId, DateTime.UtcNow, "a")))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        // Revoke it in the page (confirming the dialog); the next post is refused.
        var prefix = secret[..12];
        await page.Locator($".di-revoke[data-prefix='{prefix}']").ClickAsync();
        await page.ClickAsync(".rz-dialog-confirm-buttons button:has-text('Revoke')");
        await Assertions.Expect(page.Locator($".di-revoke[data-prefix='{prefix}']")).ToHaveCountAsync(0);
        await DialogsClosedAsync(page);
        await BrowserHost.ScreenshotAsync(page, "admin-keys");
        using (var refused = await collector.PostEventsAsync(IngestionTestKit.Turn(sessionId, DateTime.UtcNow, "b")))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // Every step above left an audit row.
        await page.GotoAsync("/admin/audit");
        await WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("td", new() { HasText = "apikey.revoked" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("td", new() { HasText = "user.created" })).ToBeVisibleAsync();
        await BrowserHost.ScreenshotAsync(page, "admin-audit");
    }

    /// <summary>Screenshots show the page, not a closing dialog or a fading notification.</summary>
    private static async Task DialogsClosedAsync(IPage page)
    {
        await Assertions.Expect(page.Locator(".rz-dialog")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".rz-notification-item")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
    }

    /// <summary>Clicks before the circuit attaches are lost: wait until Blazor has started on the page.</summary>
    private static async Task WaitForCircuitAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }
}
