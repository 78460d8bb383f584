using DevInsights.Core.Configuration;
using DevInsights.Core.Hierarchy;
using static DevInsights.Tests.Hierarchy.HierarchyHarness;

namespace DevInsights.Tests.Hierarchy;

public sealed class HierarchyReadTests(HierarchyFixture fixture) : IClassFixture<HierarchyFixture>
{
    private static readonly DateTime _t0 = new(2025, 2, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>A repository project with <paramref name="workspaces"/> workspaces spread over two machines.</summary>
    private static async Task<(long ProjectId, string Repo, string[] Machines, (string ClientId, long Id, long MachineId)[] Workspaces)> NewProjectAsync(
        HierarchyHarness h, int workspaces)
    {
        var repo = $"https://github.com/acme/{NewId("repo")}";
        string[] machines = [NewId("m"), NewId("m")];
        var list = new List<(string, long, long)>();
        for (var i = 0; i < workspaces; i++)
        {
            var clientId = NewId("w");
            var machine = machines[i % 2];
            await h.Service.UpsertMachineAsync(new MachineUpsert(machine, Hostname: "host-" + machine[..6], Os: "linux"));
            var id = await h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(clientId, machine, repo, $"/src/ws{i}", "main"));
            list.Add((clientId, id, await h.Service.ResolveMachineIdAsync(machine)));
        }
        return (await h.Service.ResolveProjectAsync(repo, "", null), repo, machines, list.ToArray());
    }

    [Theory, BothProviders]
    public async Task Tree_groups_workspaces_under_machines_with_real_totals_and_an_unattributed_node(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var (projectId, _, machines, ws) = await NewProjectAsync(h, 3); // ws0, ws2 on machine 0; ws1 on machine 1
        await h.AddSessionAsync(projectId, ws[0].Id, ws[0].MachineId, _t0, events: 4);
        await h.AddSessionAsync(projectId, ws[0].Id, ws[0].MachineId, _t0.AddHours(1), events: 6);
        await h.AddSessionAsync(projectId, ws[1].Id, ws[1].MachineId, _t0.AddHours(2), events: 3);
        var loose = await h.AddSessionAsync(projectId, null, ws[1].MachineId, _t0.AddHours(3), events: 2);

        var tree = (await h.Service.GetProjectTreeAsync(projectId, sessionsPerWorkspace: 1))!;

        Assert.Equal(projectId, tree.Project.Id);
        Assert.Equal(new NodeTotals(4, 15, 0.15, _t0.AddHours(3).AddSeconds(1)), tree.Totals with { CostUsd = Math.Round(tree.Totals.CostUsd, 6) });
        // Machine 1 was active last (ws1 at 2h), so it comes first; ws2 has no sessions at all.
        Assert.Equal([machines[1], machines[0]], tree.Machines.Select(m => m.ClientMachineId));
        var m0 = tree.Machines[1];
        Assert.Equal("linux", m0.Os);
        Assert.Equal((2, 10L), (m0.Totals.SessionCount, m0.Totals.EventCount));
        Assert.Equal([ws[0].ClientId, ws[2].ClientId], m0.Workspaces.Select(w => w.ClientWorkspaceId));
        var w0 = m0.Workspaces[0];
        Assert.Equal((2, 10L, _t0.AddHours(1).AddSeconds(5)), (w0.Totals.SessionCount, w0.Totals.EventCount, w0.Totals.LastActivityAt));
        var listed = Assert.Single(w0.Sessions); // capped at one, the newest, while the totals count both
        Assert.Equal((_t0.AddHours(1), 6L, 600L, 60L), (listed.StartedAt, listed.EventCount, listed.InputTokens, listed.OutputTokens));
        Assert.Equal(DateTimeKind.Utc, listed.StartedAt.Kind);
        Assert.Equal(NodeTotals.Empty, m0.Workspaces[1].Totals);
        Assert.Empty(m0.Workspaces[1].Sessions);
        Assert.Equal("/src/ws0", w0.Path);
        Assert.Equal("main", w0.Branch);

        Assert.NotNull(tree.Unattributed);
        Assert.Equal((1, 2L), (tree.Unattributed.Totals.SessionCount, tree.Unattributed.Totals.EventCount));
        Assert.Equal(loose.ClientSessionId, Assert.Single(tree.Unattributed.Sessions).ClientSessionId);
    }

    [Theory, BothProviders]
    public async Task Tree_costs_the_same_number_of_queries_for_2_and_for_20_workspaces(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        async Task<int> CountFor(int workspaces)
        {
            var (projectId, _, _, ws) = await NewProjectAsync(h, workspaces);
            foreach (var w in ws) await h.AddSessionAsync(projectId, w.Id, w.MachineId, _t0, events: 1);
            await h.AddSessionAsync(projectId, null, null, _t0, events: 1);
            h.Commands.Reset();
            var tree = await h.Service.GetProjectTreeAsync(projectId);
            Assert.Equal(workspaces, tree!.Machines.Sum(m => m.Workspaces.Count));
            Assert.Equal(workspaces + 1, tree.Totals.SessionCount);
            return h.Commands.Count;
        }

        var small = await CountFor(2);
        var large = await CountFor(20);
        Assert.Equal(4, small);
        Assert.Equal(small, large);
    }

    [Theory, BothProviders]
    public async Task Workspace_context_has_machine_project_and_the_last_10_sessions_newest_first(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var (projectId, repo, machines, ws) = await NewProjectAsync(h, 1);
        for (var i = 0; i < 12; i++) await h.AddSessionAsync(projectId, ws[0].Id, ws[0].MachineId, _t0.AddMinutes(i), events: i + 1);

        h.Commands.Reset();
        var context = (await h.Service.GetWorkspaceContextAsync(ws[0].ClientId))!;
        Assert.Equal(2, h.Commands.Count);
        Assert.Equal(ws[0].ClientId, context.Workspace.ClientWorkspaceId);
        Assert.Equal(machines[0], context.Machine.ClientMachineId);
        Assert.Equal(repo, context.Project.Key);
        Assert.Equal(10, context.RecentSessions.Count);
        Assert.Equal(Enumerable.Range(2, 10).Reverse().Select(i => _t0.AddMinutes(i)), context.RecentSessions.Select(s => s.StartedAt));
        Assert.Equal(12L, context.RecentSessions[0].EventCount);
        Assert.Null(await h.Service.GetWorkspaceContextAsync(NewId("missing")));
    }

    [Theory, BothProviders]
    public async Task Project_and_machine_lists_count_from_workspaces_and_sessions(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var (projectId, _, machines, ws) = await NewProjectAsync(h, 3);
        var stray = await h.Service.ResolveMachineIdAsync(NewId("m")); // telemetry from a machine with no workspace here
        await h.AddSessionAsync(projectId, ws[0].Id, ws[0].MachineId, _t0, events: 7);
        await h.AddSessionAsync(projectId, ws[1].Id, ws[1].MachineId, _t0.AddDays(1), events: 5);
        await h.AddSessionAsync(projectId, null, stray, _t0.AddDays(2), events: 1);

        var summary = (await h.Service.ListProjectsAsync()).Single(p => p.Project.Id == projectId);
        Assert.Equal((3, 3, 3, 13L), (summary.MachineCount, summary.WorkspaceCount, summary.SessionCount, summary.EventCount));
        Assert.Equal(0.13, summary.CostUsd, 6);
        Assert.True(summary.LastActivityAt >= _t0.AddDays(2));

        var listed = (await h.Service.ListMachinesAsync()).Single(m => m.Machine.ClientMachineId == machines[0]);
        Assert.Equal((2, 1), (listed.WorkspaceCount, listed.SessionCount));
        Assert.Equal("linux", listed.Machine.Os);

        var details = (await h.Service.GetMachineAsync(machines[0]))!;
        Assert.Equal(1, details.SessionCount);
        Assert.Equal(_t0.AddSeconds(6), details.LastActivityAt);
        Assert.Equal(new[] { ws[0].ClientId, ws[2].ClientId }.Order(), details.Workspaces.Select(w => w.ClientWorkspaceId).Order());
        Assert.Equal(1, details.Workspaces.Single(w => w.ClientWorkspaceId == ws[0].ClientId).SessionCount);
        Assert.All(details.Workspaces, w => Assert.Equal(projectId, w.ProjectId));
        Assert.Equal(1, (await h.Service.GetMachineAsync((await h.Service.ListMachinesAsync()).Single(m => m.Machine.Id == stray).Machine.ClientMachineId))!.SessionCount);
        Assert.Null(await h.Service.GetMachineAsync(NewId("missing")));
    }
}
