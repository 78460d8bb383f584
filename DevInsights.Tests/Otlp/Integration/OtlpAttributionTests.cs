using DevInsights.Core.Configuration;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using DevInsights.Core.Otlp.Attribution;
using DevInsights.Core.Otlp.Storage;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Ingestion;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Otlp.Integration.OtlpIntegrationKit;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary>Where OTLP sessions land: project, machine and workspace from resource attributes, a session moving out of
/// Unassigned once it is attributed, and the developer from telemetry identities. Each test has its own install id
/// (machine) and sessions.</summary>
public sealed class OtlpAttributionTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Devinsights_project_and_workspace_attributes_place_the_session(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, userId, _) = await app.CreateUserClientAsync();
        var (sessionId, install, workspace) = (NewSessionId(), NewInstallId(), "ws-" + Guid.NewGuid().ToString("N"));
        (string, string)[] resource = [(InstallId, install), ("devinsights.project", "git@github.com:acme/payments.git"), ("devinsights.workspace", workspace)];

        await client.PostRequestsAsync(ClaudeLogs(sessionId, resource), ClaudeMetrics(sessionId, resource));

        var stored = await app.FiguresAsync(sessionId);
        Assert.Equal(("https://github.com/acme/payments", "claude-install:" + install, workspace, userId),
            (stored.Project, stored.Machine, stored.Workspace, stored.DeveloperId));
        Assert.Equal(1.271, stored.ActiveCliSeconds);
        await AssertEventsFollowTheSessionAsync(app, sessionId);
        await using var db = await app.DbAsync();
        var row = await db.Workspaces.Include(w => w.Project).Include(w => w.Machine).SingleAsync(w => w.ClientWorkspaceId == workspace);
        Assert.Equal(("https://github.com/acme/payments", "claude-install:" + install), (row.Project!.Key, row.Machine!.ClientMachineId));
        var machine = row.Machine;
        Assert.Equal(("linux", "6.18.44-fc-v657", "amd64"), (machine.Os, machine.OsVersion, machine.Arch));
    }

    [Theory, BothProviders]
    public async Task A_repository_url_and_branch_give_project_and_a_derived_workspace(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var (sessionId, install) = (NewSessionId(), NewInstallId());

        await client.PostRequestsAsync(ClaudeLogs(sessionId, (InstallId, install),
            ("vcs.repository.url.full", "https://github.com/acme/acme-api.git"), ("vcs.ref.head.name", "main")));

        var stored = await app.FiguresAsync(sessionId);
        Assert.Equal(("https://github.com/acme/acme-api", $"claude-install:{install}:https://github.com/acme/acme-api@main"),
            (stored.Project, stored.Workspace));
        await using var db = await app.DbAsync();
        Assert.Equal("main", await db.Workspaces.Where(w => w.ClientWorkspaceId == stored.Workspace).Select(w => w.Branch).SingleAsync());
    }

    [Theory, BothProviders]
    public async Task A_project_name_that_is_no_url_names_a_project(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var (sessionId, name) = (NewSessionId(), "Payments " + Guid.NewGuid().ToString("N")[..8]);

        await client.PostRequestsAsync(ClaudeLogs(sessionId, (InstallId, NewInstallId()), ("devinsights.project", name)));

        var stored = await app.FiguresAsync(sessionId);
        Assert.Equal("name:" + name.ToLowerInvariant(), stored.Project);
        Assert.Null(stored.Workspace); // neither named nor derivable without a repository
        await using var db = await app.DbAsync();
        Assert.Equal(name, await db.Projects.Where(p => p.Key == stored.Project).Select(p => p.Name).SingleAsync());
    }

    [Theory, BothProviders]
    public async Task A_session_first_seen_unattributed_moves_with_its_events_once_attributed(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, _, _) = await app.CreateUserClientAsync();
        var (sessionId, install) = (NewSessionId(), NewInstallId());

        await client.PostRequestsAsync(ClaudeLogs(sessionId, (InstallId, install)));
        Assert.Equal(Project.UnassignedKey, (await app.FiguresAsync(sessionId)).Project);

        // The administrator rolls out OTEL_RESOURCE_ATTRIBUTES while the session runs.
        (string, string)[] attributed = [(InstallId, install), ("devinsights.project", "https://gitlab.example.com/acme/billing")];
        await client.PostRequestsAsync(ClaudeLaterLogs(sessionId, attributed), ClaudeMetrics(sessionId, attributed));

        var stored = await app.FiguresAsync(sessionId);
        Assert.Equal(("https://gitlab.example.com/acme/billing", "claude-install:" + install), (stored.Project, stored.Machine));
        Assert.Equal($"claude-install:{install}:https://gitlab.example.com/acme/billing", stored.Workspace);
        Assert.Equal(3, stored.ApiRequests);
        await AssertEventsFollowTheSessionAsync(app, sessionId);
        // The writer forgot the old place: later events land in the new one too.
        await client.PostRequestsAsync(ClaudeLaterLogs(NewSessionId(), attributed));
        await AssertEventsFollowTheSessionAsync(app, sessionId);
    }

    [Theory, BothProviders]
    public async Task The_developer_is_found_by_email_then_by_linked_identity_else_the_key_owner(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, ownerId, _) = await app.CreateUserClientAsync();
        var email = $"dev-{Guid.NewGuid():N}@example.test";
        var (_, developerId, _) = await app.CreateUserClientAsync(Roles.Developer, email);
        var (byEmail, byInstall, unknown, install) = (NewSessionId(), NewSessionId(), NewSessionId(), NewInstallId());

        // Team-wide managed settings: one key, the developer's login email on every record.
        await client.PostRequestsAsync(ClaudeLogs(byEmail, (InstallId, install), ("user.email", email.ToUpperInvariant())));
        Assert.Equal(developerId, (await app.FiguresAsync(byEmail)).DeveloperId);

        // Without email the install id is only recorded, so the key owner gets the session...
        var otherInstall = NewInstallId();
        await client.PostRequestsAsync(ClaudeLogs(unknown, (InstallId, otherInstall)));
        Assert.Equal(ownerId, (await app.FiguresAsync(unknown)).DeveloperId);
        await using (var db = await app.DbAsync())
        {
            var identities = await db.Set<TelemetryIdentity>().AsNoTracking().Where(i => i.Value == email || i.Value == install || i.Value == otherInstall)
                .OrderBy(i => i.Kind).ThenBy(i => i.Value).Select(i => new { i.Kind, i.Value, i.UserId, i.Client }).ToListAsync();
            Assert.Equal(
                [("email", email, (string?)developerId), ("install", install, null), ("install", otherInstall, null)],
                identities.Select(i => (i.Kind, i.Value, i.UserId)).OrderBy(i => i.Kind).ThenBy(i => i.Value == install ? 0 : 1));
            Assert.All(identities, i => Assert.Equal("claude-code", i.Client));
            // ...until an administrator links it.
            await db.Set<TelemetryIdentity>().Where(i => i.Value == otherInstall).ExecuteUpdateAsync(u => u.SetProperty(i => i.UserId, developerId));
        }

        app.Services.GetRequiredService<OtlpAttributor>().ClearCache();
        await client.PostRequestsAsync(ClaudeLogs(byInstall, (InstallId, otherInstall)));
        Assert.Equal(developerId, (await app.FiguresAsync(byInstall)).DeveloperId);
    }

    /// <summary>Every event of the session carries the session's project, machine and workspace.</summary>
    private static async Task AssertEventsFollowTheSessionAsync(Infrastructure.DevInsightsFactory app, string sessionId)
    {
        await using var db = await app.DbAsync();
        var session = await db.Sessions.AsNoTracking().SingleAsync(s => s.ClientSessionId == sessionId);
        var places = await db.Events.Where(e => e.SessionId == session.Id).Select(e => new { e.ProjectId, e.MachineId, e.WorkspaceId }).Distinct().ToListAsync();
        Assert.Equal((session.ProjectId, session.MachineId, session.WorkspaceId), places.Select(p => (p.ProjectId, p.MachineId, p.WorkspaceId)).Single());
    }
}
