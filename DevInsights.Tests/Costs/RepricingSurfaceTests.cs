using Bunit;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Core.Pricing;
using DevInsights.Tests.Admin;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using DevInsights.Web.Components.Pages.Admin;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Costs.RepricingTestKit;

namespace DevInsights.Tests.Costs;

/// <summary>Where an admin starts re-pricing: the Prices page (after adding the missing price there) and <c>admin reprice</c>.</summary>
public sealed class RepricingSurfaceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_Prices_page_lists_unpriced_models_and_offers_re_pricing_after_a_price_is_added()
    {
        await using var app = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite);
        var (developer, _, _) = await app.CreateUserClientAsync();
        var sid = IngestionTestKit.NewSessionId();
        var today = DateTime.UtcNow.Date.AddHours(1);
        Assert.Equal(3, (await (await developer.PostEventsAsync(new List<Dictionary<string, object?>>
        {
            Request(sid, "p1", today, "acme-coder-3", 1000, 100, client: "codex"),
            Request(sid, "p2", today.AddMinutes(1), "acme-coder-3", 2000, 200),
            Tool(sid, "p3", today.AddMinutes(2)),
        })).ReadAcceptedAsync()).Accepted);

        await using var ctx = ComponentTestKit.Context(app.Services, "admin@example.test", "admin-id", Roles.Admin);
        var page = ctx.Render<Prices>();
        page.WaitForAssertion(() => Assert.Contains("acme-coder-3", page.Find("#unpriced-models").TextContent), Wait);
        Assert.Empty(page.FindAll("#reprice-offer"));

        // The admin adds the missing price with the form (effective today, the form's default).
        page.Find("input#price-model").Change("acme-coder-3");
        page.Find("#price-input input").Change("2");
        page.Find("#price-output input").Change("8");
        page.Find("#add-price").Click();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("#reprice-offer")), Wait);
        page.WaitForAssertion(() => Assert.Contains("priced now", page.Find("#unpriced-models").TextContent), Wait);

        page.Find("#reprice-events").Click();
        page.WaitForAssertion(() =>
        {
            Assert.Contains("re-priced 2 (2 previously unpriced)", page.Find("#reprice-result").TextContent);
            Assert.NotEmpty(page.FindAll("#unpriced-none"));
            Assert.Empty(page.FindAll("#reprice-offer"));
        }, Wait);

        await using var db = await app.DbAsync();
        var price = await db.Set<Price>().AsNoTracking().SingleAsync(p => p.Model == "acme-coder-3");
        Assert.Equal((2d, 8d, PriceSources.Admin), (price.InputPerMtok, price.OutputPerMtok, price.Source));
        var events = await db.Events.AsNoTracking().Where(e => e.Model == "acme-coder-3").ToListAsync();
        Assert.All(events, e => Assert.Equal((price.Id, Cost(e, price)), (e.PriceId, e.CostUsd!.Value)));
    }

    [Fact]
    public async Task Admin_reprice_runs_the_job_with_progress_and_prints_its_figures()
    {
        await using var app = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite);
        var (developer, _, _) = await app.CreateUserClientAsync();
        var sid = IngestionTestKit.NewSessionId();
        var at = new DateTime(2026, 4, 2, 8, 0, 0, DateTimeKind.Utc);
        Assert.Equal(2, (await (await developer.PostEventsAsync(new List<Dictionary<string, object?>>
        {
            Request(sid, "r1", at, "acme-coder-4", 1000, 100, client: "gemini-cli"),
            Request(sid, "r2", at.AddMinutes(1), "acme-coder-4", 3000, 300, clientCost: 0.01),
        })).ReadAcceptedAsync()).Accepted);
        await app.Services.GetRequiredService<PriceCatalog>().AddAsync(
            new PriceInput("openai", "acme-coder-4", new DateOnly(2026, 1, 1), 1, 4, null, null, null, null), "tester");

        var result = await AdminCliRunner.RunAsync(app.Services, "reprice");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("[100%] Examined 2 event(s), re-priced 2", result.Output);
        Assert.Contains("reprice succeeded", result.Output);
        Assert.Contains("  repriced: 2", result.Output);
        Assert.Contains("  newlyPriced: 2", result.Output);
        Assert.Contains("  computedAfterMicroUsd: 5600", result.Output); // (1000·1 + 100·4 + 3000·1 + 300·4) / 1e6 USD

        var again = await AdminCliRunner.RunAsync(app.Services, "reprice");
        Assert.Contains("  repriced: 0", again.Output);
    }
}
