using DevInsights.Core.Configuration;
using Microsoft.Playwright;

namespace DevInsights.Tests.Infrastructure;

/// <summary>The app on a real Kestrel port (127.0.0.1, random) and a headless Debian Chromium driven by Playwright.</summary>
/// <remarks>Never `playwright install`: no browser download works here; ./test.sh installs Debian's chromium.</remarks>
public sealed class BrowserHost : IAsyncDisposable
{
    public const string AdminEmail = "admin@example.test";
    public const string AdminPassword = "Browser-admin-1";

    private IPlaywright? _playwright;

    private BrowserHost(DevInsightsFactory factory) => Factory = factory;

    public DevInsightsFactory Factory { get; }
    public IBrowser Browser { get; private set; } = default!;
    public Uri BaseAddress { get; private set; } = default!;

    public static async Task<BrowserHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["DevInsights:Bootstrap:AdminEmail"] = AdminEmail,
            ["DevInsights:Bootstrap:AdminPassword"] = AdminPassword,
        };
        var factory = new DevInsightsFactory(await TestDatabase.CreateAsync(DatabaseProvider.Sqlite), all);
        factory.UseKestrel(0);
        factory.StartServer();
        var host = new BrowserHost(factory) { BaseAddress = factory.ClientOptions.BaseAddress };
        host._playwright = await Playwright.CreateAsync();
        host.Browser = await host._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("DEVINSIGHTS_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
        return host;
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return page;
    }

    /// <summary>Signs in through the real form and waits until the interactive circuit is up.</summary>
    public async Task<IPage> SignedInPageAsync(string email = AdminEmail, string password = AdminPassword)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/login"));
        return page;
    }

    /// <summary>Saves a 1280×800 screenshot into docs/screenshots of the repository (looked at by people, linked from the README).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var dir = Path.Combine(RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png") });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DevInsights.sln"))) return dir.FullName;
        return Path.GetTempPath();
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await Factory.DisposeAsync();
    }
}
