using System.Globalization;
using Bunit;
using DevInsights.Core.Identity;
using DevInsights.Web.Components.Pages.Overview;
using DevInsights.Web.Components.Pages.Shared;

namespace DevInsights.Tests.Dashboard;

public sealed class OverviewComponentTests(SeededAppFixture fixture) : IClassFixture<SeededAppFixture>
{
    [Fact]
    public async Task Overview_renders_the_seeded_figures_charts_and_lists()
    {
        await using var ctx = ComponentTestKit.Context(fixture.App, fixture.Lead, Roles.TeamLead);
        ComponentTestKit.GoTo(ctx, "/?" + fixture.RangeQuery);

        var cut = ctx.Render<Overview>();
        cut.WaitForElement("[data-stat=sessions]", TimeSpan.FromSeconds(10));

        var team = fixture.Team;
        string Stat(string key) => cut.Find($"[data-stat={key}]").TextContent;
        Assert.Equal(team.Sessions.Count.ToString(CultureInfo.InvariantCulture), Stat("sessions"));
        Assert.Equal(Format.Cost(team.Events.Sum(e => e.CostUsd ?? 0)), Stat("cost"));
        var prompt = team.Events.Sum(e => e.InputTokens + e.CacheReadTokens + e.CacheCreationTokens);
        Assert.Equal(Format.Percent((double)team.Events.Sum(e => e.CacheReadTokens) / prompt), Stat("cache-hit"));
        Assert.Equal("3", Stat("active-developers"));
        Assert.Equal(Format.Duration((double)team.Sessions.Sum(s => s.DurationMs) / team.Sessions.Count), Stat("avg-duration"));

        // Both charts drew one stacked series per model (legend entries), from the rollup.
        var models = team.Events.Where(e => e.Model is not null).Select(e => e.Model!).Distinct().ToList();
        foreach (var chart in new[] { "tokens", "cost" })
        {
            var legend = cut.Find($"[data-chart={chart}]").QuerySelectorAll(".rz-legend-item-text").Select(e => e.TextContent.Trim()).ToList();
            Assert.Equal(models.Order(), legend.Order());
            Assert.NotEmpty(cut.Find($"[data-chart={chart}]").QuerySelectorAll("svg path"));
        }
        var projects = cut.Find("[data-breakdown=project]").TextContent;
        Assert.All(team.Projects, p => Assert.Contains(p.Name, projects));
        Assert.Equal(team.Developers.Count, cut.Find("[data-breakdown=developer]").QuerySelectorAll(".di-slice").Length);
        Assert.Equal(OverviewQuery.RecentSessionCount, cut.FindAll(".di-session-list tbody tr").Count);
        Assert.Contains("Edit", cut.Find(".di-tools").TextContent);
    }
}
