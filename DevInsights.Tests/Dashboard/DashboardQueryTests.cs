using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Web.Components.Pages.Me;
using DevInsights.Web.Components.Pages.Overview;
using DevInsights.Web.Components.Pages.Places;
using DevInsights.Web.Components.Pages.Shared;
using DevInsights.Web.Components.Pages.Team;
using DevInsights.Web.Security;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Dashboard;

/// <summary>The page query classes against real data on both providers. Each test seeds its own team in its own
/// window of days, so range-bound figures count only its data.</summary>
public sealed class DashboardQueryTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Overview_figures_are_the_sums_of_the_seeded_telemetry(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2032, 4, 10), days: 9);
        var lead = await DashboardData.CreateDeveloperAsync(app, $"lead-{Guid.NewGuid():N}@example.test", "Lea Lead", false, Roles.TeamLead);
        var range = team.Range;

        var model = await app.Services.GetRequiredService<OverviewQuery>().LoadAsync(User(lead, Roles.TeamLead), range);

        var events = team.Events;
        Assert.True(model.HasTelemetry);
        Assert.Equal(team.Sessions.Count, model.Sessions.Count);
        Assert.Equal(team.Sessions.Sum(s => s.DurationMs), model.Sessions.TotalDurationMs);
        Assert.Equal(team.Sessions.Sum(s => s.CostUsd) / team.Sessions.Count, model.Sessions.CostPerSession, 9);
        var totals = model.Usage.Totals;
        Assert.Equal(events.Sum(e => e.InputTokens), totals.InputTokens);
        Assert.Equal(events.Sum(e => e.CacheReadTokens), totals.CacheReadTokens);
        Assert.Equal(events.Sum(e => e.CostUsd ?? 0), totals.CostUsd, 9);
        var prompt = events.Sum(e => e.InputTokens + e.CacheReadTokens + e.CacheCreationTokens);
        Assert.Equal((double)events.Sum(e => e.CacheReadTokens) / prompt, totals.CacheHitRatio!.Value, 12);
        Assert.Equal(3, model.ActiveDevelopers);

        foreach (var (id, name) in team.Projects)
            Assert.Equal(events.Where(e => e.ProjectId == id).Sum(e => e.CostUsd ?? 0), model.ByProject.Single(p => p.Label == name).CostUsd, 9);
        var tools = events.Where(e => e.ToolName is not null).GroupBy(e => e.ToolName!).ToDictionary(g => g.Key, g => (Calls: g.Count(), Errors: g.Count(e => e.Success == false)));
        Assert.Equal(tools.OrderByDescending(t => t.Value.Calls).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, (long)t.Value.Calls, (long)t.Value.Errors)),
            model.TopTools.Select(t => (t.Name, t.Calls, t.Errors)));
        // A lead sees every developer by name, and the latest sessions of everyone.
        Assert.Equal(team.Developers.Select(d => d.Name).Order(), model.ByDeveloper.Select(d => d.Label).Order());
        Assert.Equal(team.Sessions.OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id).Take(OverviewQuery.RecentSessionCount).Select(s => s.ClientSessionId),
            model.RecentSessions.Select(s => s.SessionId));

        // Stacked by model: one series per model, a value for every day of the range, summing to the totals.
        var byModel = model.Usage.SeriesBy(UsageDimension.Model);
        Assert.Equal(events.Where(e => e.Model is not null).Select(e => e.Model!).Distinct().Order(), byModel.Select(s => s.Name).Order());
        Assert.All(byModel, s => Assert.Equal(range.DayCount, s.Tokens.Count));
        Assert.Equal(totals.Tokens, byModel.Sum(s => s.Tokens.Sum(p => p.Value)));
        var byClient = model.Usage.SeriesBy(UsageDimension.Client);
        Assert.Equal(team.Sessions.Select(s => s.Client).Distinct().Order(), byClient.Select(s => s.Name).Order());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_developer_sees_themselves_and_volunteers_by_name_and_the_rest_as_one_slice(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2032, 6, 10), days: 9);
        var range = team.Range;
        var (ann, bob) = (team.Developers[0], team.Developers[1]);

        var asBob = await app.Services.GetRequiredService<OverviewQuery>().LoadAsync(User(bob, Roles.Developer), range);

        double CostOf(SeededDeveloper d) => team.EventsOf(d).Sum(e => e.CostUsd ?? 0);
        var slices = asBob.ByDeveloper.ToDictionary(s => s.Label, s => s.CostUsd);
        // Ann and Chen opted into the leaderboard; Bob is the caller. Nobody is hidden, so no "other" slice.
        Assert.Equal(["Ann Lee", "Bob Kim (you)", "Chen Wu"], slices.Keys.Order());
        Assert.Equal(CostOf(bob), slices["Bob Kim (you)"], 9);

        var asAnn = await app.Services.GetRequiredService<OverviewQuery>().LoadAsync(User(ann, Roles.Developer), range);
        var annSlices = asAnn.ByDeveloper.ToDictionary(s => s.Label, s => s.CostUsd);
        Assert.Equal(["Ann Lee (you)", "Chen Wu", OverviewQuery.OtherDevelopers], annSlices.Keys.Order());
        Assert.Equal(CostOf(bob), annSlices[OverviewQuery.OtherDevelopers], 9);
        // Recent sessions are the developer's own only.
        Assert.All(asAnn.RecentSessions, s => Assert.Equal(ann.Id, s.Developer!.Id));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Team_leaderboard_lists_only_volunteers_ranked_by_tokens(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2032, 8, 10), days: 9);
        var range = team.Range;

        var model = await app.Services.GetRequiredService<TeamQuery>().LoadAsync(range);

        long TokensOf(SeededDeveloper d) => team.EventsOf(d).Sum(e => e.InputTokens + e.OutputTokens + e.CacheReadTokens + e.CacheCreationTokens);
        var volunteers = new[] { team.Developers[0], team.Developers[2] }.OrderByDescending(TokensOf).ToList();
        Assert.Equal(volunteers.Select(v => v.Name), model.Leaderboard.Select(l => l.Name));
        Assert.Equal([1, 2], model.Leaderboard.Select(l => l.Rank));
        Assert.Equal(volunteers.Select(TokensOf), model.Leaderboard.Select(l => l.Tokens));
        Assert.Equal(team.Sessions.Sum(s => s.DurationMs), model.Sessions.TotalDurationMs);
        Assert.Equal(range.DayCount, model.Trend.Count);
        Assert.Equal(team.Sessions.Count, model.Trend.Sum(d => d.Sessions));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Saving_my_settings_updates_the_user_and_writes_one_audit_entry(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var me = await DashboardData.CreateDeveloperAsync(app, $"me-{Guid.NewGuid():N}@example.test", "Mia Me", false);
        var query = app.Services.GetRequiredService<MeQuery>();
        var user = User(me, Roles.Developer);

        Assert.True(await query.SaveAsync(user, new MySettings(ShareLevel.Full, true)));
        Assert.False(await query.SaveAsync(user, new MySettings(ShareLevel.Full, true)));

        Assert.Equal(new MySettings(ShareLevel.Full, true), await query.SettingsAsync(me.Id));
        await using var db = await app.DbAsync();
        var audit = await db.AuditLogs.AsNoTracking().Where(a => a.ActorId == me.Id && a.Action == MeQuery.SettingsChangedAction).ToListAsync();
        var entry = Assert.Single(audit);
        Assert.Equal(me.Id, entry.Target);
        Assert.Contains("\"from\":\"Metadata\",\"to\":\"Full\"", entry.DetailsJson);
        Assert.Contains("\"leaderboardOptIn\":{\"from\":false,\"to\":true}", entry.DetailsJson);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Machine_and_workspace_pages_list_the_sessions_there_that_the_caller_may_see(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2032, 10, 10), days: 8);
        var lead = await DashboardData.CreateDeveloperAsync(app, $"lead-{Guid.NewGuid():N}@example.test", "Lea Lead", false, Roles.TeamLead);
        var places = app.Services.GetRequiredService<PlaceQuery>();
        var (machineId, machine, hostname) = team.Machines[1];

        var asLead = await places.MachineAsync(User(lead, Roles.TeamLead), machine, team.Range);
        Assert.Equal(hostname, asLead!.Details.Machine.Hostname);
        var onMachine = team.Sessions.Where(s => s.MachineId == machineId).ToList();
        Assert.Equal(onMachine.Count, asLead.Sessions.Total);
        Assert.Equal(onMachine.OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id).Take(PlaceQuery.SessionCount).Select(s => s.ClientSessionId),
            asLead.Sessions.Items.Select(s => s.SessionId));
        var ann = team.Developers[0];
        var asAnn = await places.MachineAsync(User(ann, Roles.Developer), machine, team.Range);
        Assert.Equal(onMachine.Count(s => s.DeveloperId == ann.Id), asAnn!.Sessions.Total);

        await using var db = await app.DbAsync();
        var workspace = team.Workspaces[2];
        var row = await db.Workspaces.Where(w => w.ClientWorkspaceId == workspace).Select(w => new { w.Id, w.LastSeenAt }).SingleAsync();
        var (workspaceId, lastSeen) = (row.Id, row.LastSeenAt);
        var inWorkspace = await places.WorkspaceAsync(User(lead, Roles.TeamLead), workspace, team.Range);
        Assert.Equal(team.Sessions.Count(s => s.WorkspaceId == workspaceId), inWorkspace!.Sessions.Total);
        // The later of its newest session's last event and the workspace's own last report.
        var lastEvent = team.Sessions.Where(s => s.WorkspaceId == workspaceId).Max(s => s.LastEventAt);
        Assert.Equal(lastEvent > lastSeen ? lastEvent : lastSeen, inWorkspace.LastTelemetryAt);
        Assert.Null(await places.MachineAsync(User(lead, Roles.TeamLead), "no-such-machine", team.Range));
    }

    internal static CurrentUser User(SeededDeveloper d, string role) => new(d.Id, d.Email, new HashSet<string> { role });
}
