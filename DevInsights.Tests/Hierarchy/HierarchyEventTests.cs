using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using static DevInsights.Tests.Hierarchy.HierarchyHarness;

namespace DevInsights.Tests.Hierarchy;

public sealed class HierarchyEventTests(HierarchyFixture fixture) : IClassFixture<HierarchyFixture>
{
    private static readonly DateTime _t0 = new(2025, 1, 10, 8, 0, 0, DateTimeKind.Utc);
    private static readonly string[] _lead = [Roles.TeamLead];

    private static async Task<List<EventItem>> ReadAllAsync(HierarchyHarness h, EventQuery query, string caller, string[] roles)
    {
        var all = new List<EventItem>();
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 100, "paging does not end");
            var page = (await h.Service.GetProjectEventsAsync(query, caller, roles))!;
            Assert.True(page.Items.Count <= query.Limit);
            all.AddRange(page.Items);
            if (page.NextCursor is null) return all;
            Assert.Equal(query.Limit, page.Items.Count); // only the last page may be short
            query = query with { Cursor = page.NextCursor };
        }
    }

    [Theory, BothProviders]
    public async Task Keyset_pages_return_every_event_exactly_once_newest_first(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var repo = $"https://github.com/acme/{NewId("r")}";
        var machine = NewId("m");
        var ws = NewId("w");
        var wsId = await h.Service.UpsertWorkspaceAsync(new WorkspaceUpsert(ws, machine, repo));
        var projectId = await h.Service.ResolveProjectAsync(repo, machine, null);
        var machineId = await h.Service.ResolveMachineIdAsync(machine);
        // Three sessions started at the same second: many events share a timestamp, which the id must break.
        var sessions = new[]
        {
            await h.AddSessionAsync(projectId, wsId, machineId, _t0, events: 40),
            await h.AddSessionAsync(projectId, wsId, machineId, _t0, events: 37),
            await h.AddSessionAsync(projectId, null, machineId, _t0.AddSeconds(20), events: 30),
        };

        var all = await ReadAllAsync(h, new EventQuery(projectId, Limit: 10), "lead", _lead);

        Assert.Equal(107, all.Count);
        Assert.Equal(107, all.Select(e => e.Id).Distinct().Count());
        Assert.Equal(all.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id).Select(e => e.Id), all.Select(e => e.Id));
        var first = all[0];
        Assert.Equal((_t0.AddSeconds(49), sessions[2].ClientSessionId, machine, null), (first.Timestamp, first.ClientSessionId, first.ClientMachineId, first.ClientWorkspaceId));
        Assert.Equal(DateTimeKind.Utc, first.Timestamp.Kind);
        Assert.Equal(29, first.Attributes!.Value.GetProperty("n").GetInt32());
        Assert.Equal(ws, all.First(e => e.ClientSessionId == sessions[0].ClientSessionId).ClientWorkspaceId);

        // Filters: workspace (client id), machine (client id), and a [from, to) window, each paged too.
        Assert.Equal(77, (await ReadAllAsync(h, new EventQuery(projectId, ClientWorkspaceId: ws, Limit: 7), "lead", _lead)).Count);
        Assert.Equal(107, (await ReadAllAsync(h, new EventQuery(projectId, ClientMachineId: machine, Limit: 500), "lead", _lead)).Count);
        var window = await ReadAllAsync(h, new EventQuery(projectId, From: _t0.AddSeconds(10), To: _t0.AddSeconds(20), Limit: 4), "lead", _lead);
        Assert.Equal(20, window.Count); // seconds 10..19 of the first two sessions
        Assert.All(window, e => Assert.InRange(e.Timestamp, _t0.AddSeconds(10), _t0.AddSeconds(19)));
        Assert.Empty((await h.Service.GetProjectEventsAsync(new EventQuery(projectId, ClientMachineId: NewId("nobody")), "lead", _lead))!.Items);
        Assert.Null(await h.Service.GetProjectEventsAsync(new EventQuery(long.MaxValue), "lead", _lead));
    }

    [Theory, BothProviders]
    public async Task A_developer_sees_only_the_events_of_their_own_sessions(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var projectId = await h.Service.ResolveProjectAsync($"https://github.com/acme/{NewId("r")}", "m", null);
        var alice = NewId("alice");
        var bob = NewId("bob");
        var mine = await h.AddSessionAsync(projectId, null, null, _t0, events: 6, developerId: alice);
        await h.AddSessionAsync(projectId, null, null, _t0.AddSeconds(3), events: 9, developerId: bob);

        var asAlice = await ReadAllAsync(h, new EventQuery(projectId, Limit: 4), alice, [Roles.Developer]);
        Assert.Equal(6, asAlice.Count);
        Assert.All(asAlice, e => Assert.Equal(mine.ClientSessionId, e.ClientSessionId));
        Assert.Equal(15, (await ReadAllAsync(h, new EventQuery(projectId), alice, [Roles.Developer, Roles.TeamLead])).Count);
        Assert.Equal(15, (await ReadAllAsync(h, new EventQuery(projectId), "admin", [Roles.Admin])).Count);
        Assert.Empty(await ReadAllAsync(h, new EventQuery(projectId), "someone-else", [Roles.Developer]));
    }

    [Fact]
    public void Cursor_round_trips_and_rejects_anything_else()
    {
        var cursor = new EventCursor(new DateTime(2025, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc).AddTicks(9), 42);
        Assert.True(EventCursor.TryDecode(cursor.Encode(), out var decoded));
        Assert.Equal(cursor, decoded);
        Assert.DoesNotMatch("[+/=]", cursor.Encode()); // safe in a query string as is

        foreach (var bad in new[] { "", "abc", "!!!!", cursor.Encode() + "AA", "B" + cursor.Encode()[1..], new string('A', 200) })
            Assert.False(EventCursor.TryDecode(bad, out _), bad);
        var errors = HierarchyValidation.Validate(new EventQuery(1, Limit: 0, From: _t0, To: _t0, Cursor: "nope"));
        Assert.Equal(["cursor", "limit", "to"], errors.Keys.Order());
    }

    [Fact]
    public void Local_project_identity_is_named_after_the_folder_and_fits_its_columns()
    {
        Assert.Equal("app", ProjectIdentity.FolderName("/home/dev/app/"));
        Assert.Equal("app", ProjectIdentity.FolderName(@"C:\src\app\"));
        Assert.Equal("/", ProjectIdentity.FolderName("/"));
        var windows = ProjectIdentity.Local("m1", @"C:\src\app\");
        Assert.Equal((@"local:m1:C:\src\app", "app"), (windows.Key, windows.Name));

        var deep = "/" + string.Join('/', Enumerable.Repeat("very-long-folder-name", 45)) + "/leaf";
        var a = ProjectIdentity.Local("m1", deep);
        Assert.StartsWith("local:sha256:", a.Key);
        Assert.True(a.Key.Length <= 600 && a.FullName.Length <= 400);
        Assert.Equal(a, ProjectIdentity.Local("m1", deep + "/"));
        Assert.NotEqual(a.Key, ProjectIdentity.Local("m2", deep).Key);
        Assert.Equal("leaf", a.Name);
        Assert.EndsWith("/leaf", a.FullName);
    }
}
