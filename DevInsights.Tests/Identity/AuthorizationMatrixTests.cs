using System.Net;
using System.Net.Http.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Otlp.Storage;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Ingestion;
using DevInsights.Tests.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DevInsights.Tests.Identity;

/// <summary>Every endpoint of the app (read from its <see cref="EndpointDataSource"/>, so a new one cannot be
/// forgotten) against every kind of caller. Pages are requested with a signed-in cookie, the API with API keys.</summary>
public sealed class AuthorizationMatrixTests(ITestOutputHelper output)
{
    public enum Caller { Anonymous, Owner, OtherDeveloper, TeamLead, Admin }

    private const int ToLogin = 302;
    private const int Denied = 403;

    /// <summary>A request to make and the status each caller must get.</summary>
    private sealed record Expectation(Func<Caller, HttpRequestMessage> Request, int Anonymous, int Owner, int OtherDeveloper, int TeamLead, int Admin)
    {
        public int For(Caller c) => c switch
        {
            Caller.Anonymous => Anonymous, Caller.Owner => Owner, Caller.OtherDeveloper => OtherDeveloper,
            Caller.TeamLead => TeamLead, _ => Admin,
        };
    }

    // The SignalR circuit endpoints of interactive pages: framework plumbing, authorised by the page that opens the circuit.
    private static readonly HashSet<string> FrameworkEndpoints = ["/_blazor", "/_blazor/negotiate", "/_blazor/disconnect/", "/_blazor/initializers/"];

    // The dashboard's pages, asserted as soon as they exist in the app (another branch builds them).
    private static readonly string[] DashboardPages = ["/", "/projects", "/sessions", "/live", "/team", "/me"];

    [Fact]
    public async Task Every_endpoint_answers_every_caller_as_expected()
    {
        await using var app = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite);
        var world = await World.CreateAsync(app);
        var expectations = Expectations(world);

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is null)
            .Select(e => (Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"], Pattern: e.RoutePattern.RawText ?? ""))
            .Where(e => !FrameworkEndpoints.Contains(e.Pattern) && !e.Pattern.StartsWith("/_framework/", StringComparison.Ordinal))
            .SelectMany(e => e.Methods.Where(m => m != "HEAD").Select(m => $"{m} {e.Pattern}"))
            .Distinct()
            .ToList();
        var missing = endpoints.Where(e => !expectations.ContainsKey(e)).ToList();
        Assert.True(missing.Count == 0, "Endpoints without an expectation (add them to the matrix):\n" + string.Join("\n", missing));

        var failures = new List<string>();
        foreach (var key in endpoints.OrderBy(e => e == "POST /account/logout"))
        {
            var expectation = expectations[key];
            foreach (var caller in Enum.GetValues<Caller>())
            {
                using var request = expectation.Request(caller);
                // Read before sending: HttpClient makes the request's address absolute.
                var isApi = request.RequestUri!.OriginalString.StartsWith("/api/", StringComparison.Ordinal);
                using var response = await world.ClientFor(caller, request).SendAsync(request);
                var status = (int)response.StatusCode;
                var line = $"{key} as {caller}: {status}";
                output.WriteLine(line);
                if (status != expectation.For(caller)) failures.Add($"{line}, expected {expectation.For(caller)}");
                else if (status == ToLogin && response.Headers.Location?.OriginalString.Contains("account/login", StringComparison.OrdinalIgnoreCase) != true)
                    failures.Add($"{line} redirects to {response.Headers.Location}, not the sign-in page");
                else if (status >= 400 && isApi
                    && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    failures.Add($"{line} is not problem details");
                else if (status == Denied && caller != Caller.Anonymous && !isApi
                    && !(await response.Content.ReadAsStringAsync()).Contains("data-testid=\"signed-in-as\"", StringComparison.Ordinal))
                    failures.Add($"{line} is not the access-denied page naming the signed-in user");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static Dictionary<string, Expectation> Expectations(World w)
    {
        static Func<Caller, HttpRequestMessage> Get(string url) => _ => new HttpRequestMessage(HttpMethod.Get, url);
        static Func<Caller, HttpRequestMessage> Send(HttpMethod method, string url, Func<Caller, object> body) =>
            c => new HttpRequestMessage(method, url) { Content = JsonContent.Create(body(c)) };

        var page = (Func<Caller, HttpRequestMessage> r) => new Expectation(r, ToLogin, 200, 200, 200, 200);
        // Signed in with the wrong role: 403 with the access-denied page (asserted below), not a trip to the login form.
        var adminPage = (Func<Caller, HttpRequestMessage> r) => new Expectation(r, ToLogin, Denied, Denied, Denied, 200);
        var adminApi = (Func<Caller, HttpRequestMessage> r) => new Expectation(r, 401, Denied, Denied, Denied, 200);
        var leadsPage = (Func<Caller, HttpRequestMessage> r) => new Expectation(r, ToLogin, Denied, Denied, 200, 200);
        var everyone = (Func<Caller, HttpRequestMessage> r) => new Expectation(r, 401, 200, 200, 200, 200);
        var ownersSession = (Func<Caller, HttpRequestMessage> r) => new Expectation(r, 401, 200, 404, 200, 200);
        var everyoneByCookie = (Func<Caller, HttpRequestMessage> r) => new Expectation(r, ToLogin, 200, 200, 200, 200);
        var ownersByCookie = (Func<Caller, HttpRequestMessage> r) => new Expectation(r, ToLogin, 200, 404, 200, 200);

        var map = new Dictionary<string, Expectation>
        {
            // Account pages and endpoints (static SSR).
            ["GET /account/login"] = new(Get("/account/login"), 200, 200, 200, 200, 200),
            ["POST /account/login"] = new(c => new HttpRequestMessage(HttpMethod.Post, "/account/login") { Content = new FormUrlEncodedContent([]) }, 400, 400, 400, 400, 400),
            ["GET /account/change-password"] = page(Get("/account/change-password")),
            ["POST /account/change-password"] = EmptyPost(page, "/account/change-password"),
            // Without the form's antiforgery token nobody is signed out (a page of another site cannot do it).
            ["POST /account/logout"] = new(c => new HttpRequestMessage(HttpMethod.Post, "/account/logout") { Content = new FormUrlEncodedContent([]) }, ToLogin, 400, 400, 400, 400),
            // First-run setup: without the console's token the page only says the link is invalid.
            // Its own address answers 403 too: it is only ever the answer to a refused page.
            ["GET /account/access-denied"] = new(Get("/account/access-denied"), Denied, Denied, Denied, Denied, Denied),
            ["POST /account/access-denied"] = new(c => new HttpRequestMessage(HttpMethod.Post, "/account/access-denied") { Content = new FormUrlEncodedContent([]) }, 400, 400, 400, 400, 400),
            ["GET /setup"] = new(Get("/setup"), 200, 200, 200, 200, 200),
            ["POST /setup"] = new(c => new HttpRequestMessage(HttpMethod.Post, "/setup") { Content = new FormUrlEncodedContent([]) }, 400, 400, 400, 400, 400),
            ["* /health"] = new(Get("/health"), 200, 200, 200, 200, 200),
            ["GET /openapi/{documentName}.json"] = new(Get("/openapi/v1.json"), 200, 200, 200, 200, 200),
            ["GET {**path:file}"] = new(Get("/no-such-file.txt"), 404, 404, 404, 404, 404),

            // Admin pages.
            ["GET /admin/users"] = adminPage(Get("/admin/users")),
            ["GET /admin/keys"] = adminPage(Get("/admin/keys")),
            ["GET /admin/audit"] = adminPage(Get("/admin/audit")),
            ["GET /admin/identities"] = adminPage(Get("/admin/identities")),
            // Authorization runs first; a caller let through is refused by antiforgery (no token in the empty form).
            ["POST /admin/users"] = EmptyPost(adminPage, "/admin/users"),
            ["POST /admin/keys"] = EmptyPost(adminPage, "/admin/keys"),
            ["POST /admin/audit"] = EmptyPost(adminPage, "/admin/audit"),
            ["POST /admin/identities"] = EmptyPost(adminPage, "/admin/identities"),

            // Admin API: telemetry identities.
            ["GET /api/v1/admin/identities/"] = adminApi(Get("/api/v1/admin/identities?linked=false")),
            ["PUT /api/v1/admin/identities/{id:long}"] = adminApi(Send(HttpMethod.Put, $"/api/v1/admin/identities/{w.IdentityId}", _ => new { userId = w.OwnerId })),
            ["GET /admin/jobs"] = adminPage(Get("/admin/jobs")),
            ["POST /admin/jobs"] = EmptyPost(adminPage, "/admin/jobs"),
            ["GET /admin/prices"] = adminPage(Get("/admin/prices")),
            ["POST /admin/prices"] = EmptyPost(adminPage, "/admin/prices"),
            ["GET /admin/provider-mappings"] = adminPage(Get("/admin/provider-mappings")),
            ["POST /admin/provider-mappings"] = EmptyPost(adminPage, "/admin/provider-mappings"),

            // Costs: team leads and admins (page and API); jobs and price uploads: admins. The provider jobs are off without
            // keys, so an admin's run-now is refused with 409 after authorization.
            ["GET /costs"] = leadsPage(Get("/costs")),
            ["POST /costs"] = EmptyPost(leadsPage, "/costs"),
            ["GET /api/v1/costs/"] = new(Get("/api/v1/costs"), 401, 403, 403, 200, 200),
            ["GET /api/v1/admin/jobs/"] = new(Get("/api/v1/admin/jobs"), 401, 403, 403, 403, 200),
            ["POST /api/v1/admin/jobs/{name}/run"] = new(_ => new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/jobs/openai-usage/run"), 401, 403, 403, 403, 409),
            ["POST /api/v1/admin/prices/litellm"] = new(_ => new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/prices/litellm") { Content = new StringContent("{}") }, 401, 403, 403, 403, 200),

            // OTLP/HTTP receivers take collector API keys only, never a browser sign-in (key callers: Otlp/Integration tests).
            ["POST /v1/logs"] = new(Send(HttpMethod.Post, "/v1/logs", _ => new { }), 401, 401, 401, 401, 401),
            ["POST /v1/metrics"] = new(Send(HttpMethod.Post, "/v1/metrics", _ => new { }), 401, 401, 401, 401, 401),
            ["POST /v1/traces"] = new(Send(HttpMethod.Post, "/v1/traces", _ => new { }), 401, 401, 401, 401, 401),
            ["GET /api/v1/telemetry/health"] = everyone(Get("/api/v1/telemetry/health")),

            // Me and team.
            ["GET /api/v1/me"] = everyone(Get("/api/v1/me")),
            // My keys: everyone has their own; revoking another user's key is a 404 (the owner's spare key is theirs alone).
            ["GET /api/v1/me/keys/"] = everyone(Get("/api/v1/me/keys")),
            ["POST /api/v1/me/keys/"] = new(Send(HttpMethod.Post, "/api/v1/me/keys", c => new { name = "matrix " + c }), 401, 201, 201, 201, 201),
            ["DELETE /api/v1/me/keys/{id:long}"] = new(c => new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/me/keys/{w.OwnerSpareKeyId}"), 401, 204, 404, 404, 404),
            ["PUT /api/v1/me/settings"] = everyone(Send(HttpMethod.Put, "/api/v1/me/settings", _ => new { shareLevel = "metadata", leaderboardOptIn = false })),
            ["GET /api/v1/team/stats"] = everyone(Get("/api/v1/team/stats")),
            ["GET /api/v1/team/tools"] = everyone(Get("/api/v1/team/tools?days=7")),
            ["GET /api/v1/team/leaderboard"] = everyone(Get("/api/v1/team/leaderboard")),
            ["GET /api/v1/team/trends"] = everyone(Get("/api/v1/team/trends?days=3")),

            // Sessions: each caller uploads its own; the owner's session is hidden from the other developer.
            ["POST /api/v1/sessions/"] = new(Send(HttpMethod.Post, "/api/v1/sessions", _ => SessionTestData.Upload(w.Workspace)), 401, 201, 201, 201, 201),
            ["POST /api/v1/sessions/batch"] = everyone(Send(HttpMethod.Post, "/api/v1/sessions/batch", _ => new { sessions = new[] { SessionTestData.Upload(w.Workspace) } })),
            ["GET /api/v1/sessions/"] = everyone(Get("/api/v1/sessions")),
            ["GET /api/v1/sessions/{sessionId}"] = ownersSession(Get($"/api/v1/sessions/{w.OwnerSessionId}")),
            ["GET /api/v1/sessions/{sessionId}/events"] = ownersSession(Get($"/api/v1/sessions/{w.OwnerSessionId}/events")),
            ["POST /api/v1/events"] = everyone(Send(HttpMethod.Post, "/api/v1/events", _ => IngestionTestKit.Turn(IngestionTestKit.NewSessionId(), DateTime.UtcNow, "m"))),

            // Hierarchy: shared structure, visible to every signed-in user (events filtered per caller).
            ["POST /api/v1/machines/"] = everyone(Send(HttpMethod.Post, "/api/v1/machines", _ => new { machineId = "matrix-" + Guid.NewGuid().ToString("N"), hostname = "matrix", os = "linux" })),
            ["GET /api/v1/machines/"] = everyone(Get("/api/v1/machines")),
            ["GET /api/v1/machines/{**machineId}"] = everyone(Get($"/api/v1/machines/{w.ClientMachineId}")),
            ["POST /api/v1/workspaces/"] = everyone(Send(HttpMethod.Post, "/api/v1/workspaces", _ => new { workspaceId = "matrix-ws-" + Guid.NewGuid().ToString("N"), machineId = w.ClientMachineId, path = "/tmp/matrix" })),
            ["GET /api/v1/workspaces/{**workspaceId}"] = everyone(Get($"/api/v1/workspaces/{w.Workspace.ClientWorkspaceId}")),
            ["GET /api/v1/projects/"] = everyone(Get("/api/v1/projects")),
            ["GET /api/v1/projects/{id:long}/hierarchy"] = everyone(Get($"/api/v1/projects/{w.Workspace.ProjectId}/hierarchy")),
            ["GET /api/v1/projects/{id:long}/events"] = everyone(Get($"/api/v1/projects/{w.Workspace.ProjectId}/events")),

            // CSV exports (cookie, like the pages that link them): a session the caller may not see is a 404.
            ["GET /export/sessions.csv"] = everyoneByCookie(Get("/export/sessions.csv")),
            ["GET /export/sessions/{sessionId}/events.csv"] = ownersByCookie(Get($"/export/sessions/{w.OwnerSessionId}/events.csv")),
            ["GET /export/sessions/{sessionId}/tools.csv"] = ownersByCookie(Get($"/export/sessions/{w.OwnerSessionId}/tools.csv")),
            ["GET /export/tools.csv"] = everyoneByCookie(Get("/export/tools.csv")),
            ["GET /export/leaderboard.csv"] = everyoneByCookie(Get("/export/leaderboard.csv")),
            ["GET /export/projects.csv"] = everyoneByCookie(Get("/export/projects.csv")),
            ["GET /export/projects/{projectId:long}/events.csv"] = everyoneByCookie(Get($"/export/projects/{w.Workspace.ProjectId}/events.csv")),
            ["GET /export/breakdown.csv"] = everyoneByCookie(Get("/export/breakdown.csv?by=model")),
            ["GET /export/machine-workspaces.csv"] = everyoneByCookie(Get($"/export/machine-workspaces.csv?machine={w.ClientMachineId}")),

            // Dataset exports (rollups branch): team leads and admins only; a developer gets 403 problem details.
            ["GET /api/v1/export/{dataset}"] = new(Get("/api/v1/export/events?from=2030-01-01&to=2030-01-02"), 401, 403, 403, 200, 200),
            ["GET /admin/export"] = adminPage(Get("/admin/export")),
            ["POST /admin/export"] = EmptyPost(adminPage, "/admin/export"),

            // Dashboard detail pages.
            ["GET /sessions/{SessionId}"] = page(Get($"/sessions/{w.OwnerSessionId}")),
            ["POST /sessions/{SessionId}"] = EmptyPost(page, $"/sessions/{w.OwnerSessionId}"),
            ["GET /projects/{ProjectId:long}"] = page(Get($"/projects/{w.Workspace.ProjectId}")),
            ["POST /projects/{ProjectId:long}"] = EmptyPost(page, $"/projects/{w.Workspace.ProjectId}"),
            ["GET /machines/{*ClientMachineId}"] = page(Get($"/machines/{w.ClientMachineId}")),
            ["POST /machines/{*ClientMachineId}"] = EmptyPost(page, $"/machines/{w.ClientMachineId}"),
            ["GET /workspaces/{*ClientWorkspaceId}"] = page(Get($"/workspaces/{w.Workspace.ClientWorkspaceId}")),
            ["POST /workspaces/{*ClientWorkspaceId}"] = EmptyPost(page, $"/workspaces/{w.Workspace.ClientWorkspaceId}"),
        };
        foreach (var route in DashboardPages)
        {
            map[$"GET {route}"] = page(Get(route));
            map[$"POST {route}"] = EmptyPost(page, route);
        }
        return map;
    }

    /// <summary>A form post without an antiforgery token to a page: refused like the page's GET, or with 400 where
    /// the GET would succeed.</summary>
    private static Expectation EmptyPost(Func<Func<Caller, HttpRequestMessage>, Expectation> kind, string url)
    {
        var get = kind(_ => new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent([]) });
        static int Refused(int status) => status == 200 ? 400 : status;
        return get with { Anonymous = Refused(get.Anonymous), Owner = Refused(get.Owner), OtherDeveloper = Refused(get.OtherDeveloper),
            TeamLead = Refused(get.TeamLead), Admin = Refused(get.Admin) };
    }

    /// <summary>Four users with keys and signed-in cookies, a workspace, and one session of the owner.</summary>
    private sealed class World
    {
        private readonly Dictionary<Caller, (HttpClient Api, HttpClient Browser)> _clients = [];
        private HttpClient _anonymous = default!;

        public TestWorkspace Workspace { get; private set; } = default!;
        public string ClientMachineId { get; private set; } = default!;
        public string OwnerSessionId { get; private set; } = default!;
        public string OwnerId { get; private set; } = default!;
        public long OwnerSpareKeyId { get; private set; }
        public long IdentityId { get; private set; }

        public static async Task<World> CreateAsync(DevInsightsFactory app)
        {
            var world = new World { _anonymous = BrowserLikeClient.Create(app) };
            foreach (var (caller, role) in new[] { (Caller.Owner, Roles.Developer), (Caller.OtherDeveloper, Roles.Developer), (Caller.TeamLead, Roles.TeamLead), (Caller.Admin, Roles.Admin) })
            {
                var email = ProviderApps.UniqueEmail(caller.ToString().ToLowerInvariant());
                var (api, userId, _) = await app.CreateUserClientAsync(role, email);
                if (caller == Caller.Owner) world.OwnerId = userId;
                var browser = BrowserLikeClient.Create(app);
                using var signIn = await BrowserLikeClient.SignInAsync(browser, email, "Test-password-123");
                Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
                world._clients[caller] = (api, browser);
            }
            world.Workspace = await app.CreateWorkspaceAsync();
            await using (var db = await app.DbAsync())
                world.ClientMachineId = db.Machines.Single(m => m.Hostname == world.Workspace.Hostname).ClientMachineId;
            var upload = SessionTestData.Upload(world.Workspace);
            await world._clients[Caller.Owner].Api.PostSessionAsync(upload);
            world.OwnerSessionId = upload.SessionId!;
            world.OwnerSpareKeyId = (await app.Services.GetRequiredService<ApiKeyService>().IssueAsync(world.OwnerId, "spare")).Id;
            await using (var db = await app.DbAsync())
            {
                var identity = new TelemetryIdentity { Kind = TelemetryIdentity.Install, Value = Guid.NewGuid().ToString("N"), Client = "claude-code", FirstSeenAt = DateTime.UtcNow, LastSeenAt = DateTime.UtcNow };
                db.Add(identity);
                await db.SaveChangesAsync();
                world.IdentityId = identity.Id;
            }
            return world;
        }

        /// <summary>API requests carry the caller's key; pages and account forms its cookie.</summary>
        public HttpClient ClientFor(Caller caller, HttpRequestMessage request) =>
            caller == Caller.Anonymous ? _anonymous
            : request.RequestUri!.OriginalString.StartsWith("/api/", StringComparison.Ordinal) ? _clients[caller].Api
            : _clients[caller].Browser;
    }
}
