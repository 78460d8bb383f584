using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Admin.AdminCliRunner;

namespace DevInsights.Tests.Admin;

public sealed class AdminCliTests(ProviderApps factories) : IClassFixture<ProviderApps>
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Create_user_prints_a_key_that_authenticates_as_that_user(DatabaseProvider provider)
    {
        var factory = await factories.GetAsync(provider);
        var email = ProviderApps.UniqueEmail();

        var result = await RunAsync(factory.Services, "create-user", email, "--role", "TeamLead");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.NotNull(result.Key);
        var (status, me) = await GetMeAsync(factory, result.Key);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(email, me.GetProperty("email").GetString());
        Assert.Equal(["TeamLead"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

        await using var db = await factory.DbAsync();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.Equal(user.Id, me.GetProperty("id").GetString());
        Assert.True(user.EmailConfirmed);
        Assert.Null(user.PasswordHash);
        Assert.False(user.MustChangePassword);
        var audit = await db.AuditLogs.SingleAsync(a => a.Target == email);
        Assert.Equal(AuditActions.UserCreated, audit.Action);
        Assert.StartsWith("cli:", audit.ActorName);
        Assert.Contains("\"role\":\"TeamLead\"", audit.DetailsJson);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Create_user_defaults_to_Developer_and_a_given_password_must_be_changed(DatabaseProvider provider)
    {
        var factory = await factories.GetAsync(provider);
        var email = ProviderApps.UniqueEmail();

        var result = await RunAsync(factory.Services, "create-user", email, "--password", "Initial-password-42");

        Assert.Equal(0, result.ExitCode);
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        Assert.NotNull(user);
        Assert.True(user.MustChangePassword);
        Assert.True(await users.CheckPasswordAsync(user, "Initial-password-42"));
        Assert.Equal([Roles.Developer], await users.GetRolesAsync(user));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_duplicate_email_is_refused_with_exit_code_1_whatever_its_case(DatabaseProvider provider)
    {
        var factory = await factories.GetAsync(provider);
        var email = ProviderApps.UniqueEmail();
        Assert.Equal(0, (await RunAsync(factory.Services, "create-user", email)).ExitCode);

        var again = await RunAsync(factory.Services, "create-user", email.ToUpperInvariant(), "--role", "Admin");

        Assert.Equal(1, again.ExitCode);
        Assert.Equal($"error: A user with the email {email.ToUpperInvariant()} already exists.", again.Error.Trim());
        Assert.Null(again.Key);
        await using var db = await factory.DbAsync();
        Assert.Equal(1, await db.Users.CountAsync(u => u.NormalizedEmail == email.ToUpperInvariant()));
        Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.Action == AuditActions.UserCreated && a.Target == email));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Rotate_key_revokes_every_old_key_and_the_new_one_works(DatabaseProvider provider)
    {
        var factory = await factories.GetAsync(provider);
        var email = ProviderApps.UniqueEmail();
        var first = (await RunAsync(factory.Services, "create-user", email)).Key!;
        var extra = await RunAsync(factory.Services, "create-key", email);
        Assert.Equal(0, extra.ExitCode);
        Assert.Equal(HttpStatusCode.OK, (await GetMeAsync(factory, extra.Key!)).Status);

        var rotated = await RunAsync(factory.Services, "rotate-key", email);

        Assert.Equal(0, rotated.ExitCode);
        Assert.Contains("Revoked 2 key(s).", rotated.Output);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetMeAsync(factory, first)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetMeAsync(factory, extra.Key!)).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetMeAsync(factory, rotated.Key!)).Status);
        await using var db = await factory.DbAsync();
        var actions = await db.AuditLogs.Where(a => a.Target == email).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal([AuditActions.UserCreated, AuditActions.ApiKeyCreated, AuditActions.ApiKeyRotated], actions);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task List_users_shows_roles_and_active_keys(DatabaseProvider provider)
    {
        var factory = await factories.GetAsync(provider);
        var admin = ProviderApps.UniqueEmail("admin");
        var developer = ProviderApps.UniqueEmail("dev");
        await RunAsync(factory.Services, "create-user", admin, "--role", "Admin");
        await RunAsync(factory.Services, "create-user", developer);
        await RunAsync(factory.Services, "create-key", developer);

        var list = await RunAsync(factory.Services, "list-users");

        Assert.Equal(0, list.ExitCode);
        Assert.Equal(["Admin", "1", "no"], CellsOf(list.Output, admin));
        Assert.Equal(["Developer", "2", "no"], CellsOf(list.Output, developer));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Delete_user_removes_their_sessions_with_events_tool_usages_and_messages_and_nothing_else(DatabaseProvider provider)
    {
        var factory = await factories.GetAsync(provider);
        var email = ProviderApps.UniqueEmail();
        var key = (await RunAsync(factory.Services, "create-user", email)).Key!;
        var (_, otherUserId, _) = await factory.CreateUserClientAsync();
        long[] doomed;
        long kept;
        await using (var db = await factory.DbAsync())
        {
            var userId = (await db.Users.SingleAsync(u => u.Email == email)).Id;
            var projectId = await SessionSeed.AddProjectAsync(db);
            doomed = [await SessionSeed.AddSessionAsync(db, projectId, userId, events: 3), await SessionSeed.AddSessionAsync(db, projectId, userId, events: 2)];
            kept = await SessionSeed.AddSessionAsync(db, projectId, otherUserId, events: 4);
        }

        var result = await RunAsync(factory.Services, "delete-user", email);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"Deleted {email}: 2 session(s), 5 event(s), 0 aggregate row(s), 0 provider mapping(s) and 0 telemetry identit(y/ies) removed.", result.Output.Trim());
        await using (var db = await factory.DbAsync())
        {
            Assert.False(await db.Users.AnyAsync(u => u.Email == email));
            Assert.Equal(0, await db.Sessions.CountAsync(s => doomed.Contains(s.Id)));
            Assert.Equal(0, await db.Events.CountAsync(e => doomed.Contains(e.SessionId)));
            Assert.Equal(0, await db.ToolUsages.CountAsync(t => doomed.Contains(t.SessionId)));
            Assert.Equal(0, await db.Messages.CountAsync(m => doomed.Contains(m.SessionId)));
            Assert.Equal(4, await db.Events.CountAsync(e => e.SessionId == kept));
            Assert.Equal(1, await db.ToolUsages.CountAsync(t => t.SessionId == kept));
            Assert.Equal(1, await db.Messages.CountAsync(m => m.SessionId == kept));
            var audit = await db.AuditLogs.SingleAsync(a => a.Target == email && a.Action == AuditActions.UserDeleted);
            Assert.Contains("\"sessions\":2,\"events\":5", audit.DetailsJson);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetMeAsync(factory, key)).Status);
    }

    [Theory]
    [InlineData("create-key")]
    [InlineData("rotate-key")]
    [InlineData("delete-user")]
    public async Task Commands_on_an_unknown_user_fail_with_exit_code_1(string command)
    {
        var factory = await factories.GetAsync(DatabaseProvider.Sqlite);
        var email = ProviderApps.UniqueEmail("nobody");

        var result = await RunAsync(factory.Services, command, email);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: No user has the email {email}.", result.Error.Trim());
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task An_unknown_role_is_a_usage_error_and_creates_nobody()
    {
        var factory = await factories.GetAsync(DatabaseProvider.Sqlite);
        var email = ProviderApps.UniqueEmail();

        var result = await RunAsync(factory.Services, "create-user", email, "--role", "Boss");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("'Boss'", result.Error);
        await using var db = await factory.DbAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email == email));
    }

    [Fact]
    public async Task Me_without_a_key_is_401_problem_details()
    {
        var factory = await factories.GetAsync(DatabaseProvider.Sqlite);

        var response = await factory.CreateClient().GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetMeAsync(DevInsightsFactory factory, string key)
    {
        using var client = factory.CreateClient();
        DevInsightsFactory.UseBearer(client, key);
        using var response = await client.GetAsync("/api/v1/me");
        var body = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
        return (response.StatusCode, body);
    }

    /// <summary>The role, key and disabled cells of the table row of <paramref name="email"/>.</summary>
    private static string[] CellsOf(string table, string email)
    {
        var row = table.Split('\n').Single(l => l.Contains(email, StringComparison.Ordinal));
        var cells = row.Split('│', StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray();
        return [cells[1], cells[3], cells[4]];
    }
}
