using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Hierarchy;
using Microsoft.EntityFrameworkCore;
using static DevInsights.Tests.Hierarchy.HierarchyHarness;

namespace DevInsights.Tests.Hierarchy;

public sealed class HierarchyUpsertTests(HierarchyFixture fixture) : IClassFixture<HierarchyFixture>
{
    [Theory, BothProviders]
    public async Task Machine_upserted_twice_is_one_row_with_first_seen_kept_and_last_seen_and_fields_refreshed(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var clientId = NewId("m");
        var firstSeen = h.Clock.Now.UtcDateTime;
        using var metadata = JsonDocument.Parse("""{"cpu":"M3","cores":8}""");
        var id1 = await h.Service.UpsertMachineAsync(new MachineUpsert(clientId, "laptop-1", "macOS", "15.1", "arm64", "10.0.0.5", metadata.RootElement));
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var id2 = await h.Service.UpsertMachineAsync(new MachineUpsert(clientId, Hostname: "laptop-renamed", OsVersion: "15.2"));

        Assert.Equal(id1, id2);
        await using var db = await h.Db.CreateDbContextAsync();
        var row = Assert.Single(await db.Machines.AsNoTracking().Where(m => m.ClientMachineId == clientId).ToListAsync());
        Assert.Equal(firstSeen, row.FirstSeenAt);
        Assert.Equal(firstSeen.AddMinutes(5), row.LastSeenAt);
        Assert.Equal("laptop-renamed", row.Hostname);
        Assert.Equal("15.2", row.OsVersion);
        Assert.Equal("macOS", row.Os);   // omitted fields keep what was stored
        Assert.Equal("arm64", row.Arch);
        Assert.Equal("10.0.0.5", row.Ip);
        Assert.Equal(8, JsonDocument.Parse(row.MetadataJson!).RootElement.GetProperty("cores").GetInt32());
    }

    [Theory, BothProviders]
    public async Task Concurrent_upserts_of_one_machine_and_one_workspace_create_one_row_each(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var machine = NewId("m");
        var workspace = NewId("w");
        var repo = $"git@github.com:acme/{NewId("r")}.git";

        var machineIds = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => h.Service.UpsertMachineAsync(new MachineUpsert(machine, Hostname: $"host-{i}")))));
        var workspaceIds = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(workspace, machine, repo, "/src/app", Branch: $"b{i}")))));

        Assert.Single(machineIds.Distinct());
        Assert.Single(workspaceIds.Distinct());
        await using var db = await h.Db.CreateDbContextAsync();
        Assert.Equal(1, await db.Machines.CountAsync(m => m.ClientMachineId == machine));
        Assert.Equal(1, await db.Workspaces.CountAsync(w => w.ClientWorkspaceId == workspace));
        Assert.Equal(1, await db.Projects.CountAsync(p => p.Key == RepositoryUrl.Parse(repo).Normalized));
    }

    [Theory, BothProviders]
    public async Task Spellings_of_one_repository_on_several_machines_map_to_one_project(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var repo = NewId("api");
        string[] spellings =
        [
            $"git@github.com:Acme/{repo}.git",
            $"https://github.com/acme/{repo}.git",
            $"ssh://git@github.com/acme/{repo}",
            $"https://user:token@github.com/acme/{repo}/",
        ];
        var workspaceIds = new List<string>();
        foreach (var (url, i) in spellings.Select((u, i) => (u, i)))
        {
            var ws = NewId("w");
            workspaceIds.Add(ws);
            await h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(ws, NewId($"m{i}"), url, $"/home/dev{i}/src/{repo}"));
        }

        await using var db = await h.Db.CreateDbContextAsync();
        var projects = await db.Workspaces.Where(w => workspaceIds.Contains(w.ClientWorkspaceId)).Select(w => w.Project!).Distinct().ToListAsync();
        var project = Assert.Single(projects);
        Assert.Equal($"https://github.com/acme/{repo}", project.Key);
        Assert.Equal(project.Key, project.RepositoryUrl);
        Assert.Equal(repo, project.Name);
        Assert.Equal($"acme/{repo}", project.FullName);
        Assert.Equal("github.com", project.Host);
        Assert.Equal("acme", project.Owner);
        Assert.Equal(project.Id, await h.Service.ResolveProjectAsync($"git@github.com:acme/{repo}", "any-machine", "/elsewhere"));
    }

    [Theory, BothProviders]
    public async Task A_folder_without_remote_gets_a_stable_local_project_per_machine_and_path(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var machine = NewId("m");
        var folder = NewId("scratch");
        var path = $"/home/dev/{folder}";

        var w1 = NewId("w");
        await h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(w1, machine, RepoUrl: null, Path: path));
        var w2 = NewId("w");
        await h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(w2, machine, RepoUrl: "not a remote", Path: path + "/"));
        var other = NewId("w");
        await h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(other, NewId("m"), RepoUrl: "file:///home/dev/x", Path: path));

        var c1 = await h.Service.GetWorkspaceContextAsync(w1);
        var c2 = await h.Service.GetWorkspaceContextAsync(w2);
        var c3 = await h.Service.GetWorkspaceContextAsync(other);
        Assert.Equal(c1!.Project.Id, c2!.Project.Id);
        Assert.NotEqual(c1.Project.Id, c3!.Project.Id); // same path on another machine is another folder
        Assert.Equal($"local:{machine}:{path}", c1.Project.Key);
        Assert.Equal(folder, c1.Project.Name);
        Assert.Equal(path, c1.Project.FullName);
        Assert.Null(c1.Project.RepositoryUrl);
        Assert.Equal(c1.Project.Id, await h.Service.ResolveProjectAsync(null, machine, path));
    }

    [Theory, BothProviders]
    public async Task Nothing_to_attribute_resolves_to_Unassigned_and_resolutions_are_cached(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var unassigned = await h.Service.GetOrCreateUnassignedProjectAsync();
        Assert.Equal(unassigned, await h.Service.ResolveProjectAsync(null, NewId("m"), null));
        Assert.Equal(unassigned, await h.Service.ResolveProjectAsync("  ", "", "   "));

        var repo = $"https://gitlab.com/group/sub/{NewId("r")}";
        var first = await h.Service.ResolveProjectAsync(repo, "m", null);
        var machine = await h.Service.ResolveMachineIdAsync(NewId("m"));
        h.Commands.Reset();
        Assert.Equal(first, await h.Service.ResolveProjectAsync(repo + ".git", "m", null));
        Assert.Equal(unassigned, await h.Service.GetOrCreateUnassignedProjectAsync());
        Assert.Equal(0, h.Commands.Count); // the ingestion hot path costs no query once resolved
        Assert.True(machine > 0);

        await using var db = await h.Db.CreateDbContextAsync();
        var row = await db.Projects.SingleAsync(p => p.Id == unassigned);
        Assert.Equal((Project.UnassignedKey, "Unassigned"), (row.Key, row.Name));

        // Once a project is deleted, clearing the cache makes the next resolution create it again.
        await db.Projects.Where(p => p.Id == first).ExecuteDeleteAsync();
        h.Service.ClearCache();
        var recreated = await h.Service.ResolveProjectAsync(repo, "m", null);
        Assert.NotEqual(first, recreated);
        Assert.True(await db.Projects.AnyAsync(p => p.Id == recreated));
    }

    [Theory, BothProviders]
    public async Task Adding_a_remote_moves_the_workspace_with_its_sessions_and_a_heartbeat_without_one_keeps_it(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var machine = NewId("m");
        var ws = NewId("w");
        var wsId = await h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(ws, machine, null, "/src/tool"));
        var local = (await h.Service.GetWorkspaceContextAsync(ws))!.Project.Id;
        var machineId = await h.Service.ResolveMachineIdAsync(machine);
        var session = await h.AddSessionAsync(local, wsId, machineId, new DateTime(2025, 3, 1, 8, 0, 0, DateTimeKind.Utc), events: 5);

        var repo = $"https://github.com/acme/{NewId("tool")}";
        await h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(ws, machine, repo, "/src/tool", "main", "abc123"));
        await h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(ws, machine, Branch: "feature")); // heartbeat: no remote

        var context = (await h.Service.GetWorkspaceContextAsync(ws))!;
        Assert.Equal(repo, context.Project.Key);
        Assert.Equal(("feature", "abc123", "/src/tool"), (context.Workspace.Branch, context.Workspace.Commit, context.Workspace.Path));
        await using var db = await h.Db.CreateDbContextAsync();
        Assert.Equal(context.Project.Id, await db.Sessions.Where(s => s.Id == session.Id).Select(s => s.ProjectId).SingleAsync());
        Assert.Equal(5, await db.Events.CountAsync(e => e.SessionId == session.Id && e.ProjectId == context.Project.Id));
    }

    [Theory, BothProviders]
    public async Task Invalid_input_is_refused_naming_each_field(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        using var array = JsonDocument.Parse("[1,2]");
        var machine = await Assert.ThrowsAsync<HierarchyValidationException>(() =>
            h.Service.UpsertMachineAsync(new MachineUpsert(" ", Arch: new string('x', 51), Metadata: array.RootElement)));
        Assert.Equal(["arch", "machineId", "metadata"], machine.Errors.Keys.Order());

        var workspace = await Assert.ThrowsAsync<HierarchyValidationException>(() =>
            h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(new string('w', 201), "", Commit: new string('a', 65))));
        Assert.Equal(["commit", "machineId", "workspaceId"], workspace.Errors.Keys.Order());
    }
}
