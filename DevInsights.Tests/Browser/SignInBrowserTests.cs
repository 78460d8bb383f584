using DevInsights.Tests.Infrastructure;
using Microsoft.Playwright;

namespace DevInsights.Tests.Browser;

[Trait("Category", "Browser")]
public sealed class SignInBrowserTests
{
    [Fact]
    public async Task Admin_signs_in_and_the_interactive_circuit_works_under_the_CSP()
    {
        await using var host = await BrowserHost.StartAsync();
        var page = await host.NewPageAsync();
        var cspViolations = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy")) cspViolations.Add(message.Text); };

        await page.GotoAsync("/");
        await page.WaitForURLAsync(url => url.Contains("/account/login"));
        await BrowserHost.ScreenshotAsync(page, "login");
        await page.FillAsync("#email", BrowserHost.AdminEmail);
        await page.FillAsync("#password", BrowserHost.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/login"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");

        // The sidebar toggle only works once the circuit is connected: it proves interactivity end to end.
        var sidebar = page.Locator(".rz-sidebar");
        await Assertions.Expect(sidebar).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        var collapsed = false;
        // A click before the circuit attaches is lost, so retry until the toggle takes effect.
        for (var attempt = 0; attempt < 15 && !collapsed; attempt++)
        {
            await page.ClickAsync(".rz-sidebar-toggle");
            collapsed = await WaitForClassAsync(sidebar, "rz-sidebar-collapsed", TimeSpan.FromSeconds(1));
        }
        Assert.True(collapsed, "the sidebar never collapsed: the interactive circuit did not connect");
        Assert.Empty(cspViolations);
    }

    private static async Task<bool> WaitForClassAsync(ILocator locator, string cssClass, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if ((await locator.GetAttributeAsync("class"))?.Split(' ').Contains(cssClass) == true) return true;
            await Task.Delay(100);
        }
        return false;
    }
}
