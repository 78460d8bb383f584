using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Infrastructure;
using Microsoft.Playwright;

namespace DevInsights.Tests.Browser;

/// <summary>One Kestrel host with a seeded team ending today (so every preset range shows data), shared by a class.</summary>
public sealed class DashboardHostFixture : IAsyncLifetime
{
    public BrowserHost Host { get; private set; } = default!;
    public SeededTeam Team { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Host = await BrowserHost.StartAsync();
        Team = await DashboardData.SeedTeamAsync(Host.Factory, DateOnly.FromDateTime(DateTime.UtcNow), days: 12);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Playwright steps the dashboard tests share.</summary>
public static class DashboardBrowserKit
{
    /// <summary>Opens a Radzen drop-down (found by its Name) and picks the option with this text, again until the URL
    /// satisfies <paramref name="url"/>: on a busy machine either click (opening, or picking while the list re-renders)
    /// can be lost.</summary>
    public static async Task ChooseAsync(IPage page, string name, string option, Func<string, bool> url)
    {
        var dropdown = page.Locator($".rz-dropdown:has(input[name='{name}'])");
        var id = await dropdown.GetAttributeAsync("id");
        var item = page.Locator($"[id='popup-{id}'] .rz-dropdown-item", new PageLocatorOptions { HasText = option });
        await RetryAsync(async () =>
        {
            if (!await item.IsVisibleAsync())
                await RetryAsync(() => dropdown.ClickAsync(), () => item.IsVisibleAsync());
            try { await item.ClickAsync(new LocatorClickOptions { Timeout = 5_000 }); }
            catch (TimeoutException) { } // the list closed under the click: the next attempt opens it again
        }, () => Task.FromResult(url(page.Url)));
    }

    /// <summary>Repeats <paramref name="act"/> until <paramref name="done"/> holds (about 18 s at most); each attempt waits
    /// 1.5 s for its effect, so a toggle (a drop-down) is not closed again by an impatient second click.</summary>
    public static async Task RetryAsync(Func<Task> act, Func<Task<bool>> done)
    {
        for (var attempt = 0; attempt < 12; attempt++)
        {
            await act();
            for (var wait = 0; wait < 15; wait++)
            {
                if (await done()) return;
                await Task.Delay(100);
            }
        }
        throw new TimeoutException("The page never reacted (is the interactive circuit up?).");
    }

    /// <summary>Clicks until the URL satisfies <paramref name="url"/>.</summary>
    public static Task ClickUntilUrlAsync(IPage page, ILocator target, Func<string, bool> url) =>
        RetryAsync(() => target.ClickAsync(), () => Task.FromResult(url(page.Url)));

    /// <summary>Waits until every chart on the page has drawn its series (Radzen measures before drawing).</summary>
    public static async Task WaitForChartsAsync(IPage page)
    {
        await page.WaitForFunctionAsync("""
            () => [...document.querySelectorAll('.rz-chart')].every(c => c.querySelector('svg path.rz-series-item, svg .rz-series path, svg path'))
            """);
        await page.WaitForTimeoutAsync(300); // the series' entry animation
    }

    /// <summary>Takes the 1280×800 screenshot once the theme is applied: the interactive render re-attaches the theme's
    /// stylesheet, and on a busy machine a screenshot could catch the page between the two.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.WaitForFunctionAsync("""
            async () => {
              await document.fonts.ready;
              const header = document.querySelector('.rz-header');
              return document.readyState === 'complete' && header !== null && getComputedStyle(header).backgroundColor !== 'rgba(0, 0, 0, 0)';
            }
            """);
        await page.WaitForTimeoutAsync(200);
        await BrowserHost.ScreenshotAsync(page, name);
    }

    public static async Task<string> StatAsync(IPage page, string key) => (await page.Locator($"[data-stat={key}]").InnerTextAsync()).Trim();
}
