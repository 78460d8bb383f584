using System.Globalization;
using Bunit;
using DevInsights.Core.Identity;
using DevInsights.Core.Ingestion;
using DevInsights.Core.Live;
using DevInsights.Core.Sessions;
using DevInsights.Tests.Sessions;
using DevInsights.Web.Components.Pages.Live;
using DevInsights.Web.Components.Pages.Me;
using DevInsights.Web.Components.Pages.Sessions;
using DevInsights.Web.Components.Pages.Shared;
using DevInsights.Web.Components.Pages.Team;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Dashboard;

public sealed class PageComponentTests(SeededAppFixture fixture) : IClassFixture<SeededAppFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_session_page_shows_its_figures_and_timeline_and_then_events_that_arrive()
    {
        var session = fixture.Team.Sessions.OrderByDescending(s => s.EventCount).First();
        var owner = fixture.Team.Developers.Single(d => d.Id == session.DeveloperId);
        await using var ctx = ComponentTestKit.Context(fixture.App, owner, Roles.Developer);

        var cut = ctx.Render<SessionDetailPage>(p => p.Add(x => x.SessionId, session.ClientSessionId));
        cut.WaitForElement("[data-stat=events]", Wait);

        var events = fixture.Team.Events.Where(e => e.SessionId == session.Id).ToList();
        Assert.Equal(events.Count.ToString(CultureInfo.InvariantCulture), cut.Find("[data-stat=events]").TextContent);
        Assert.Equal(Format.Cost(session.CostUsd), cut.Find("[data-stat=cost]").TextContent);
        var request = events.First(e => e.Type == "api_request");
        var row = cut.Find($"[data-event-id='{request.Id}']").Closest("tr")!.TextContent;
        Assert.Contains($"in {Format.Count(request.InputTokens)} · out {Format.Count(request.OutputTokens)}", row);
        Assert.Contains(Format.Cost(request.CostUsd!.Value), row);
        Assert.Contains(request.Model!, row);
        Assert.Equal(events.Count, cut.FindAll(".di-timeline tbody tr").Count);
        Assert.NotEmpty(cut.FindAll("[data-chart=session-cost] svg path"));

        // A new event is committed for this session and announced: the page reads it and shows it, with new totals.
        var added = new AgentEvent
        {
            SessionId = session.Id, ProjectId = session.ProjectId, Timestamp = session.LastEventAt.AddMinutes(1), Type = "api_request",
            Model = "claude-opus-4-1", InputTokens = 4321, OutputTokens = 123, CostUsd = 0.4321, Source = "api", ReceivedAt = DateTime.UtcNow,
        };
        await using (var db = await fixture.App.DbAsync())
        {
            db.Events.Add(added);
            await db.Sessions.Where(s => s.Id == session.Id).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.EventCount, x => x.EventCount + 1).SetProperty(x => x.CostUsd, x => x.CostUsd + 0.4321));
            await db.SaveChangesAsync();
        }
        fixture.App.Services.GetRequiredService<LiveUpdates>().Publish(Change(session));

        cut.WaitForAssertion(() => Assert.Contains("in 4,321 · out 123", cut.Find($"[data-event-id='{added.Id}']").Closest("tr")!.TextContent), Wait);
        Assert.Equal((events.Count + 1).ToString(CultureInfo.InvariantCulture), cut.Find("[data-stat=events]").TextContent);
        Assert.Contains("1 new", cut.Find("[data-testid=live-badge]").TextContent);
    }

    [Fact]
    public async Task Another_developers_session_is_not_shown()
    {
        var session = fixture.Team.Sessions.First(s => s.DeveloperId != fixture.Team.Developers[0].Id);
        await using var ctx = ComponentTestKit.Context(fixture.App, fixture.Team.Developers[0], Roles.Developer);
        var cut = ctx.Render<SessionDetailPage>(p => p.Add(x => x.SessionId, session.ClientSessionId));
        cut.WaitForAssertion(() => Assert.Equal("Session not found", cut.Find("h1").TextContent), Wait);
        Assert.Empty(cut.FindAll(".di-timeline"));
    }

    [Fact]
    public async Task The_sessions_grid_shows_a_page_of_the_filtered_sessions_in_the_urls_order()
    {
        await using var ctx = ComponentTestKit.Context(fixture.App, fixture.Lead, Roles.TeamLead);
        var project = fixture.Team.Projects[0];
        ComponentTestKit.GoTo(ctx, $"/sessions?{fixture.RangeQuery}&project={project.Id}&sort=cost&dir=asc");

        var cut = ctx.Render<SessionsPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".di-sessions tbody tr a")), Wait);

        var expected = fixture.Team.Sessions.Where(s => s.ProjectId == project.Id).OrderBy(s => s.CostUsd).ThenBy(s => s.Id)
            .Take(SessionListState.PageSize).Select(s => Format.Time(s.StartedAt)).ToList();
        var shown = cut.FindAll(".di-sessions tbody tr td:first-child a").Select(a => a.TextContent).ToList();
        Assert.Equal(expected, shown);
        Assert.Contains($"{fixture.Team.Sessions.Count(s => s.ProjectId == project.Id)} items", cut.Find(".rz-pager-summary").TextContent);
    }

    [Fact]
    public async Task The_team_page_ranks_volunteers_and_lists_tools()
    {
        await using var ctx = ComponentTestKit.Context(fixture.App, fixture.Team.Developers[1], Roles.Developer);
        ComponentTestKit.GoTo(ctx, "/team?" + fixture.RangeQuery);
        var cut = ctx.Render<TeamPage>();
        cut.WaitForElement("[data-stat=coding-time]", Wait);

        Assert.Equal(Format.Duration(fixture.Team.Sessions.Sum(s => s.DurationMs)), cut.Find("[data-stat=coding-time]").TextContent);
        var names = cut.FindAll(".di-leaderboard tbody tr td:nth-child(2)").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["Ann Lee", "Chen Wu"], names.Order());
        Assert.DoesNotContain("Bob Kim", cut.Find(".di-leaderboard").TextContent);
        Assert.Equal(fixture.Team.Events.Where(e => e.ToolName is not null).Select(e => e.ToolName).Distinct().Count(), cut.FindAll(".di-tools tbody tr").Count);
    }

    [Fact]
    public async Task Me_saves_the_settings_with_the_note_that_they_apply_to_new_data()
    {
        var me = await DashboardData.CreateDeveloperAsync(fixture.App, $"mo-{Guid.NewGuid():N}@example.test", "Mo", false);
        await using var ctx = ComponentTestKit.Context(fixture.App, me, Roles.Developer);
        var cut = ctx.Render<MePage>();
        cut.WaitForElement("[data-testid=save-settings]", Wait);
        Assert.Contains("Applies to new data", cut.Markup);

        cut.FindAll(".rz-radiobutton-box")[0].Click();
        cut.Find(".rz-switch").Click();
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal("Saved.", cut.Find("[data-testid=settings-status]").TextContent), Wait);
        var saved = await fixture.App.Services.GetRequiredService<MeQuery>().SettingsAsync(me.Id);
        Assert.Equal(new MySettings(ShareLevel.None, true), saved);
    }

    [Fact]
    public async Task The_live_feed_adds_announced_events_and_holds_them_while_paused()
    {
        var owner = fixture.Team.Developers[2];
        var session = fixture.Team.Sessions.First(s => s.DeveloperId == owner.Id);
        await using var ctx = ComponentTestKit.Context(fixture.App, owner, Roles.Developer);
        var cut = ctx.Render<LivePage>();
        var own = fixture.Team.EventsOf(owner).Count();
        cut.WaitForAssertion(() => Assert.Equal(Math.Min(50, Math.Min(LivePage.Backlog, own)), cut.FindAll(".di-live tbody tr").Count), Wait);
        // A developer's feed holds only their own sessions.
        Assert.All(cut.FindAll(".di-live tbody tr td:nth-child(6)"), td => Assert.Equal(owner.Name, td.TextContent.Trim()));

        cut.Find("[data-testid=pause]").Click();
        var added = await AddEventAsync(session, "tool_result", "Grep");
        fixture.App.Services.GetRequiredService<LiveUpdates>().Publish(Change(session));
        cut.WaitForAssertion(() => Assert.Contains("1 waiting", cut.Find("[data-testid=live-state]").TextContent), Wait);
        Assert.Empty(cut.FindAll($"[data-event-id='{added.Id}']"));

        cut.Find("[data-testid=pause]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Grep", cut.Find($"[data-event-id='{added.Id}']").Closest("tr")!.TextContent), Wait);
        Assert.Equal("Receiving", cut.Find("[data-testid=live-state]").TextContent);
    }

    private async Task<AgentEvent> AddEventAsync(Session session, string type, string? tool = null)
    {
        var e = new AgentEvent
        {
            SessionId = session.Id, ProjectId = session.ProjectId, MachineId = session.MachineId, WorkspaceId = session.WorkspaceId,
            Timestamp = DateTime.UtcNow, Type = type, ToolName = tool, Success = tool is null ? null : true, Source = "api", ReceivedAt = DateTime.UtcNow,
        };
        await using var db = await fixture.App.DbAsync();
        db.Events.Add(e);
        await db.SaveChangesAsync();
        return e;
    }

    private static IngestionCommitted Change(Session session) => new([session.Id], [session.ProjectId], 1, ["api"], DateTime.UtcNow);
}
