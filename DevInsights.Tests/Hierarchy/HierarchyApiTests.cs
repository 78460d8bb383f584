using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using static DevInsights.Tests.Hierarchy.HierarchyHarness;

namespace DevInsights.Tests.Hierarchy;

public sealed class HierarchyApiTests(HierarchyFixture fixture) : IClassFixture<HierarchyFixture>
{
    private static readonly DateTime _t0 = new(2025, 1, 10, 8, 0, 0, DateTimeKind.Utc);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Theory, BothProviders]
    public async Task Collectors_register_machines_and_workspaces_and_read_them_back(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var (client, _, _) = await h.Factory.CreateUserClientAsync(Roles.Developer);
        var machine = NewId("m");
        var first = await JsonAsync(await client.PostAsJsonAsync("/api/v1/machines", new
        {
            machineId = machine, hostname = "dev-box", os = "linux", osVersion = "6.8", arch = "x64", ip = "192.0.2.7",
            metadata = new { cpu = "Ryzen", cores = 16 },
        }));
        var again = await JsonAsync(await client.PostAsJsonAsync("/api/v1/machines", new { machineId = machine, hostname = "dev-box-2" }));
        Assert.Equal(first.GetProperty("machine").GetProperty("id").GetInt64(), again.GetProperty("machine").GetProperty("id").GetInt64());
        Assert.Equal(first.GetProperty("machine").GetProperty("firstSeenAt").GetString(), again.GetProperty("machine").GetProperty("firstSeenAt").GetString());
        Assert.Equal("dev-box-2", again.GetProperty("machine").GetProperty("hostname").GetString());
        Assert.Equal(16, again.GetProperty("machine").GetProperty("metadata").GetProperty("cores").GetInt32());

        var ws = $"{machine}:/home/dev/src/{NewId("w")}"; // ids built from paths still address their resource
        var repo = NewId("svc");
        var context = await JsonAsync(await client.PostAsJsonAsync("/api/v1/workspaces", new
        {
            workspaceId = ws, machineId = machine, repoUrl = $"git@github.com:Acme/{repo}.git", path = $"/src/{repo}", branch = "main", commit = "0123abcd",
        }));
        Assert.Equal($"https://github.com/acme/{repo}", context.GetProperty("project").GetProperty("key").GetString());
        Assert.Equal("dev-box-2", context.GetProperty("machine").GetProperty("hostname").GetString());
        Assert.Equal(0, context.GetProperty("recentSessions").GetArrayLength());
        Assert.EndsWith("Z", context.GetProperty("workspace").GetProperty("lastSeenAt").GetString());

        var read = await JsonAsync(await client.GetAsync($"/api/v1/workspaces/{ws}"));
        Assert.Equal("0123abcd", read.GetProperty("workspace").GetProperty("commit").GetString());
        var details = await JsonAsync(await client.GetAsync($"/api/v1/machines/{machine}"));
        Assert.Equal(ws, details.GetProperty("workspaces")[0].GetProperty("clientWorkspaceId").GetString());
        Assert.Equal(repo, details.GetProperty("workspaces")[0].GetProperty("projectName").GetString());
        var list = await JsonAsync(await client.GetAsync("/api/v1/machines"));
        var listed = list.EnumerateArray().Single(m => m.GetProperty("machine").GetProperty("clientMachineId").GetString() == machine);
        Assert.Equal(1, listed.GetProperty("workspaceCount").GetInt32());
    }

    [Theory, BothProviders]
    public async Task Projects_list_tree_and_event_pages(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var (dev, devId, _) = await h.Factory.CreateUserClientAsync(Roles.Developer);
        var (lead, _, _) = await h.Factory.CreateUserClientAsync(Roles.TeamLead);
        var machine = NewId("m");
        var ws = NewId("w");
        var repo = $"https://github.com/acme/{NewId("r")}";
        await JsonAsync(await dev.PostAsJsonAsync("/api/v1/workspaces", new { workspaceId = ws, machineId = machine, repoUrl = repo }));
        var projectId = await h.Service.ResolveProjectAsync(repo, machine, null);
        var wsId = (await h.Service.GetWorkspaceContextAsync(ws))!.Workspace.Id;
        var machineId = await h.Service.ResolveMachineIdAsync(machine);
        var own = await h.AddSessionAsync(projectId, wsId, machineId, _t0, events: 5, developerId: devId);
        await h.AddSessionAsync(projectId, wsId, machineId, _t0.AddMinutes(1), events: 4, developerId: "someone-else");

        var projects = await JsonAsync(await dev.GetAsync("/api/v1/projects"));
        var summary = projects.EnumerateArray().Single(p => p.GetProperty("project").GetProperty("id").GetInt64() == projectId);
        Assert.Equal((1, 1, 2, 9L), (summary.GetProperty("machineCount").GetInt32(), summary.GetProperty("workspaceCount").GetInt32(),
            summary.GetProperty("sessionCount").GetInt32(), summary.GetProperty("eventCount").GetInt64()));

        var tree = await JsonAsync(await dev.GetAsync($"/api/v1/projects/{projectId}/hierarchy"));
        var node = tree.GetProperty("machines")[0].GetProperty("workspaces")[0];
        Assert.Equal(ws, node.GetProperty("clientWorkspaceId").GetString());
        Assert.Equal(9, node.GetProperty("totals").GetProperty("eventCount").GetInt64());
        Assert.Equal(2, node.GetProperty("sessions").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, tree.GetProperty("unattributed").ValueKind);

        async Task<List<JsonElement>> PagesAsync(HttpClient client, string query)
        {
            var items = new List<JsonElement>();
            var url = $"/api/v1/projects/{projectId}/events?{query}";
            while (true)
            {
                var page = await JsonAsync(await client.GetAsync(url));
                items.AddRange(page.GetProperty("items").EnumerateArray());
                if (page.GetProperty("nextCursor").GetString() is not { } cursor) return items;
                url = $"/api/v1/projects/{projectId}/events?{query}&cursor={Uri.EscapeDataString(cursor)}";
            }
        }
        var all = await PagesAsync(lead, "limit=2");
        Assert.Equal(9, all.Select(e => e.GetProperty("id").GetInt64()).Distinct().Count());
        Assert.Equal(_t0.AddMinutes(1).AddSeconds(3), all[0].GetProperty("timestamp").GetDateTime().ToUniversalTime());
        var mine = await PagesAsync(dev, $"limit=3&workspaceId={ws}&machineId={machine}");
        Assert.Equal(5, mine.Count);
        Assert.All(mine, e => Assert.Equal(own.ClientSessionId, e.GetProperty("clientSessionId").GetString()));
        var window = await PagesAsync(lead, $"from={_t0.AddSeconds(1):O}&to=2025-01-10T08:00:04Z");
        Assert.Equal(3, window.Count);
    }

    public static TheoryData<DatabaseProvider, string, string, string> InvalidRequests()
    {
        var data = new TheoryData<DatabaseProvider, string, string, string>();
        var cases = new (string Url, string Body, string Field)[]
        {
            ("POST /api/v1/machines", """{"hostname":"h"}""", "machineId"),
            ("POST /api/v1/machines", """{"machineId":"   "}""", "machineId"),
            ("POST /api/v1/machines", $$"""{"machineId":"m","hostname":"{{new string('h', 256)}}"}""", "hostname"),
            ("POST /api/v1/machines", """{"machineId":"m","metadata":[1,2]}""", "metadata"),
            ("POST /api/v1/machines", """{"machineId":"m","metadata":"text"}""", "metadata"),
            ("POST /api/v1/machines", """{"machineId":"m","hostname":42}""", "hostname"),
            ("POST /api/v1/machines", """{"machineId":"m",""", "body"),
            ("POST /api/v1/machines", "null", "body"),
            ("POST /api/v1/workspaces", """{"workspaceId":"w"}""", "machineId"),
            ("POST /api/v1/workspaces", """{"machineId":"m"}""", "workspaceId"),
            ("POST /api/v1/workspaces", $$"""{"workspaceId":"w","machineId":"m","repoUrl":"https://h/{{new string('r', 500)}}"}""", "repoUrl"),
            ("POST /api/v1/workspaces", $$"""{"workspaceId":"w","machineId":"m","commit":"{{new string('a', 65)}}"}""", "commit"),
            ("GET /api/v1/projects/1/events?from=yesterday", "", "from"),
            ("GET /api/v1/projects/1/events?to=2025-13-01", "", "to"),
            ("GET /api/v1/projects/1/events?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", "", "to"),
            ("GET /api/v1/projects/1/events?limit=0", "", "limit"),
            ("GET /api/v1/projects/1/events?limit=501", "", "limit"),
            ("GET /api/v1/projects/1/events?limit=ten", "", "limit"),
            ("GET /api/v1/projects/1/events?cursor=not-a-cursor", "", "cursor"),
            ("GET /api/v1/projects/1/hierarchy?sessions=51", "", "sessions"),
            ("GET /api/v1/projects/1/hierarchy?sessions=-1", "", "sessions"),
        };
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.Postgres })
            foreach (var (url, body, field) in cases) data.Add(provider, url, body, field);
        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Invalid_requests_get_a_problem_naming_the_field(DatabaseProvider provider, string request, string body, string field)
    {
        var h = await fixture.GetAsync(provider);
        var (client, _, _) = await h.Factory.CreateUserClientAsync(Roles.Admin);
        var (method, url) = (request.Split(' ')[0], request.Split(' ')[1]);
        using var message = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST") message.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await client.SendAsync(message);

        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Theory, BothProviders]
    public async Task Unknown_ids_are_404_problems_and_other_bodies_415_or_413(DatabaseProvider provider)
    {
        var h = await fixture.GetAsync(provider);
        var (client, _, _) = await h.Factory.CreateUserClientAsync(Roles.TeamLead);
        foreach (var url in new[] { $"/api/v1/machines/{NewId("m")}", $"/api/v1/workspaces/{NewId("w")}", "/api/v1/projects/987654321/hierarchy", "/api/v1/projects/987654321/events" })
        {
            var response = await client.GetAsync(url);
            var problem = await JsonAsync(response, HttpStatusCode.NotFound);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(404, problem.GetProperty("status").GetInt32());
        }

        var text = await client.PostAsync("/api/v1/machines", new StringContent("""{"machineId":"m"}""", Encoding.UTF8, "text/plain"));
        Assert.Equal(415, (await JsonAsync(text, HttpStatusCode.UnsupportedMediaType)).GetProperty("status").GetInt32());
        var huge = $$"""{"machineId":"m","hostname":"{{new string('h', 70_000)}}"}""";
        var large = await client.PostAsync("/api/v1/machines", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.Equal(413, (await JsonAsync(large, HttpStatusCode.RequestEntityTooLarge)).GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "GET", "/api/v1/machines")]
    [InlineData(DatabaseProvider.Sqlite, "POST", "/api/v1/machines")]
    [InlineData(DatabaseProvider.Sqlite, "GET", "/api/v1/machines/m1")]
    [InlineData(DatabaseProvider.Sqlite, "POST", "/api/v1/workspaces")]
    [InlineData(DatabaseProvider.Sqlite, "GET", "/api/v1/workspaces/w1")]
    [InlineData(DatabaseProvider.Sqlite, "GET", "/api/v1/projects")]
    [InlineData(DatabaseProvider.Sqlite, "GET", "/api/v1/projects/1/hierarchy")]
    [InlineData(DatabaseProvider.Sqlite, "GET", "/api/v1/projects/1/events")]
    [InlineData(DatabaseProvider.Postgres, "GET", "/api/v1/projects")]
    [InlineData(DatabaseProvider.Postgres, "POST", "/api/v1/machines")]
    public async Task Every_route_needs_an_API_key(DatabaseProvider provider, string method, string url)
    {
        var h = await fixture.GetAsync(provider);
        using var anonymous = h.Factory.CreateClient();
        using var message = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST") message.Content = new StringContent("""{"machineId":"m","workspaceId":"w"}""", Encoding.UTF8, "application/json");
        var response = await anonymous.SendAsync(message);
        Assert.Equal(401, (await JsonAsync(response, HttpStatusCode.Unauthorized)).GetProperty("status").GetInt32());

        using var wrongKey = h.Factory.CreateClient();
        wrongKey.DefaultRequestHeaders.Add("X-API-Key", "dvi_not-a-real-key");
        using var again = new HttpRequestMessage(new HttpMethod(method), url);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_hierarchy_operation()
    {
        var h = await fixture.GetAsync(DatabaseProvider.Sqlite);
        using var client = h.Factory.CreateClient();
        var document = await JsonAsync(await client.GetAsync("/openapi/v1.json"));
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Path: path.Name, Id: op.Value.GetProperty("operationId").GetString(), Op: op.Value)))
            .ToList();
        string[] ours = ["UpsertMachine", "ListMachines", "GetMachine", "UpsertWorkspace", "GetWorkspace", "ListProjects", "GetProjectHierarchy", "GetProjectEvents"];
        foreach (var id in ours) Assert.Contains(operations, o => o.Id == id);
        var upsert = operations.Single(o => o.Id == "UpsertMachine").Op;
        Assert.True(upsert.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(upsert.GetProperty("responses").TryGetProperty("400", out _));
        Assert.All(operations.Where(o => ours.Contains(o.Id)), o => Assert.True(o.Op.GetProperty("responses").TryGetProperty("401", out _), o.Id));
        var events = operations.Single(o => o.Id == "GetProjectEvents");
        Assert.Equal("/api/v1/projects/{id}/events", events.Path);
        Assert.Equal(["cursor", "from", "id", "limit", "machineId", "to", "workspaceId"],
            events.Op.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Order());
    }
}
