using DevInsights.Core.Configuration;
using DevInsights.Tests.Infrastructure;

namespace DevInsights.Tests.Identity;

public sealed class SecurityHeaderTests
{
    [Fact]
    public async Task Pages_and_api_answers_carry_the_security_headers()
    {
        await using var factory = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite);
        var client = BrowserLikeClient.Create(factory);
        foreach (var url in new[] { "/account/login", "/api/v1/does-not-matter" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        }
    }

    [Fact]
    public async Task Login_posts_are_rate_limited_per_client_address()
    {
        await using var factory = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite,
            new Dictionary<string, string?> { ["DevInsights:RateLimits:LoginPerMinute"] = "3" });
        var client = BrowserLikeClient.Create(factory);
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
            statuses.Add((int)(await BrowserLikeClient.SignInAsync(client, "nobody@example.test", "whatever-password")).StatusCode);
        Assert.Equal([200, 200, 200, 429], statuses);
    }
}
