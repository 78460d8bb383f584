using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Core.Providers;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Otlp.Integration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Otlp.OtlpFixtureFiles;

namespace DevInsights.Tests.Costs;

/// <summary><c>GET /api/v1/costs</c>: billed beside estimated beside token × price, attributed through mappings, gaps flagged.</summary>
public sealed class CostsApiTests
{
    [Theory, BothProviders]
    public async Task Billed_estimated_and_computed_costs_are_side_by_side_with_gaps_flagged(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var (developer, userId, _) = await app.CreateUserClientAsync();
        const string scenario = "b-tool-use-json";
        await developer.PostScenarioAsync(OtlpIntegrationKit.ScenarioRequests(Claude, scenario));
        var total = ClaudeStdout(scenario).GetProperty("total_cost_usd").GetDouble();
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<DevInsightsDbContext>>();
        long projectId;
        DateTime day;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var session = await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == OtlpIntegrationKit.ClaudeSessionId(scenario));
            (projectId, day) = (session.ProjectId, session.StartedAt.Date);
            // What Anthropic billed that day for the workspace the team uses, and for one nobody mapped.
            db.AddRange(
                Billed(day, "wrkspc_team", 0.30, "claude-sonnet-4-5-20250929"),
                Billed(day, "wrkspc_other", 1.50, "claude-opus-4-6"),
                Billed(day.AddDays(-1), "wrkspc_other", 2.00, "claude-opus-4-6"));
            await db.SaveChangesAsync();
        }
        await app.Services.GetRequiredService<ProviderMappings>().SetAsync("anthropic", ProviderMappingKinds.Project, "wrkspc_team", projectId, userId, "Team workspace");

        var (lead, _, _) = await app.CreateUserClientAsync(Roles.TeamLead);
        var range = $"from={day.AddDays(-1):yyyy-MM-dd}&to={day:yyyy-MM-dd}";

        var byProject = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/costs?{range}&groupBy=project");
        var rows = byProject.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
        var mine = rows[projectId.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        Assert.Equal(0.30, mine.GetProperty("billedUsd").GetDouble(), 9);
        Assert.Equal(total, mine.GetProperty("estimatedUsd").GetDouble(), 9);
        Assert.Equal(total, mine.GetProperty("computedUsd").GetDouble(), 9);
        Assert.Equal("differs", mine.GetProperty("gap").GetString()); // 0.30 billed vs ~0.10 of telemetry
        var other = rows["unmapped:anthropic:wrkspc_other"];
        Assert.Equal(3.50, other.GetProperty("billedUsd").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, other.GetProperty("estimatedUsd").ValueKind);
        Assert.Equal("billed-without-telemetry", other.GetProperty("gap").GetString());
        Assert.Contains("(unmapped)", other.GetProperty("label").GetString());
        Assert.Equal(3.80, byProject.GetProperty("totals").GetProperty("billedUsd").GetDouble(), 9);

        var byDay = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/costs?{range}");
        var days = byDay.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([$"{day.AddDays(-1):yyyy-MM-dd}", $"{day:yyyy-MM-dd}"], days.Select(d => d.GetProperty("key").GetString()));
        Assert.Equal("billed-without-telemetry", days[0].GetProperty("gap").GetString());

        var byDeveloper = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/costs?{range}&groupBy=developer");
        var dev = byDeveloper.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == userId);
        Assert.Equal(0.30, dev.GetProperty("billedUsd").GetDouble(), 9);
        var byModel = await lead.GetFromJsonAsync<JsonElement>($"/api/v1/costs?{range}&groupBy=model");
        var sonnet = byModel.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == "claude-sonnet-4-5");
        Assert.Equal((0.30, total), (sonnet.GetProperty("billedUsd").GetDouble(), sonnet.GetProperty("computedUsd").GetDouble()));

        using var bad = await lead.GetAsync("/api/v1/costs?from=yesterday&to=2026-01-01&groupBy=team");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("from", out _) && errors.TryGetProperty("groupBy", out _));
        using var backwards = await lead.GetAsync("/api/v1/costs?from=2026-02-01&to=2026-01-01");
        Assert.True((await backwards.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("to", out _));
        using var forbidden = await developer.GetAsync("/api/v1/costs");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    private static ProviderCost Billed(DateTime day, string workspace, double usd, string model) => new()
    {
        Provider = "anthropic", BucketStart = day, BucketEnd = day.AddDays(1), GroupKey = $"workspace_id={workspace}|model={model}",
        ProjectRef = workspace, ApiKeyRef = "", LineItem = "usage", Model = model, AmountUsd = usd, FetchedAt = DateTime.UtcNow,
    };
}
