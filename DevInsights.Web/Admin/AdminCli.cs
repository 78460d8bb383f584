using System.CommandLine;
using System.Globalization;
using DevInsights.Core.Identity;
using Spectre.Console;

namespace DevInsights.Web.Admin;

/// <summary>The <c>admin</c> commands: thin text adapters over <see cref="UserAdministration"/>.</summary>
/// <remarks>Secrets are printed once, on a line starting exactly <c>API key: </c>, so scripts can pick them up.
/// Exit codes: 0 done, 1 refused (the reason on stderr), and System.CommandLine's own code for bad usage.</remarks>
public static partial class AdminCli
{
    public const string KeyLinePrefix = "API key: ";

    /// <summary>Parses and runs <paramref name="args"/> (starting with <c>admin</c>) against the app's services.</summary>
    public static Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, TextWriter output, TextWriter error,
        CancellationToken ct = default)
    {
        var root = new RootCommand("DevInsights server") { BuildAdminCommand(services, output, error) };
        var invocation = new InvocationConfiguration { Output = output, Error = error };
        return root.Parse(args).InvokeAsync(invocation, ct);
    }

    private static Command BuildAdminCommand(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var email = new Argument<string>("email") { Description = "The user's email address (also the user name)." };

        var role = new Option<string>("--role") { Description = "The user's role.", DefaultValueFactory = _ => Roles.Developer };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var password = new Option<string?>("--password")
        {
            Description = "An initial password, to be changed at the first sign-in. Without it the user has none.",
        };
        var createUser = new Command("create-user", "Create a user with a role and print their first API key.") { email, role, password };
        createUser.SetAction((parse, ct) => RunAsync(services, error, async admin =>
        {
            var created = await admin.CreateUserAsync(parse.GetRequiredValue(email), parse.GetRequiredValue(role),
                parse.GetValue(password), AuditActor.CommandLine(), ct);
            await output.WriteLineAsync($"Created {created.Email} ({created.Role}), id {created.Id}.");
            await WriteKeyAsync(output, created.Key.Secret);
        }));

        var listUsers = new Command("list-users", "List users with their roles and active keys.");
        listUsers.SetAction((_, ct) => RunAsync(services, error, async admin =>
            WriteUsers(output, await admin.ListUsersAsync(ct))));

        var createKey = new Command("create-key", "Issue an additional API key for a user.") { email };
        createKey.SetAction((parse, ct) => RunAsync(services, error, async admin =>
        {
            var key = await admin.CreateKeyAsync(parse.GetRequiredValue(email), AuditActor.CommandLine(), ct);
            await WriteKeyAsync(output, key.Secret);
        }));

        var rotateKey = new Command("rotate-key", "Revoke all of a user's API keys and issue a new one.") { email };
        rotateKey.SetAction((parse, ct) => RunAsync(services, error, async admin =>
        {
            var rotated = await admin.RotateKeyAsync(parse.GetRequiredValue(email), AuditActor.CommandLine(), ct);
            await output.WriteLineAsync($"Revoked {rotated.Revoked} key(s).");
            await WriteKeyAsync(output, rotated.Key.Secret);
        }));

        var deleteUser = new Command("delete-user", "Delete a user with all their sessions and events.") { email };
        deleteUser.SetAction((parse, ct) => RunAsync(services, error, async admin =>
        {
            var deleted = await admin.DeleteUserAsync(parse.GetRequiredValue(email), AuditActor.CommandLine(), ct);
            await output.WriteLineAsync(
                $"Deleted {deleted.Email}: {deleted.Sessions} session(s), {deleted.Events} event(s), {deleted.AggregateRows} aggregate row(s), "
                + $"{deleted.ProviderMappings} provider mapping(s) and {deleted.Identities} telemetry identit(y/ies) removed.");
        }));

        var admin = new Command("admin", "Administer users and API keys, then exit (the server is not started).")
        {
            createUser, listUsers, createKey, rotateKey, deleteUser,
            BuildExportCommand(services, output, error),
        };
        // Other features' commands (one line each).
        foreach (var command in AdminJobsCli.Build(services, output, error)) admin.Add(command);
        foreach (var command in AdminPricesCli.Build(services, output, error)) admin.Add(command);
        return admin;
    }

    /// <summary>Runs one operation in its own scope (UserManager is scoped), turning refusals into exit code 1.</summary>
    private static async Task<int> RunAsync(IServiceProvider services, TextWriter error, Func<UserAdministration, Task> operation)
    {
        await using var scope = services.CreateAsyncScope();
        try
        {
            await operation(scope.ServiceProvider.GetRequiredService<UserAdministration>());
            return 0;
        }
        catch (UserAdministrationException ex)
        {
            await error.WriteLineAsync("error: " + ex.Message);
            return 1;
        }
    }

    private static Task WriteKeyAsync(TextWriter output, string secret) =>
        output.WriteLineAsync(KeyLinePrefix + secret + Environment.NewLine + "Store it now: it cannot be shown again.");

    /// <summary>A Spectre console writing to <paramref name="output"/>; <paramref name="interactive"/> lets live
    /// widgets (progress bars) redraw on a terminal.</summary>
    internal static IAnsiConsole ConsoleFor(TextWriter output, bool interactive = false)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.Detect,
        });
        // Piped output has no terminal width; the 80 columns Spectre assumes would wrap emails mid-word for scripts.
        if (!IsTerminal(output)) console.Profile.Width = 240;
        return console;
    }

    private static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    private static void WriteUsers(TextWriter output, IReadOnlyList<UserSummary> users)
    {
        var console = ConsoleFor(output);
        var table = new Table().AddColumns("Email", "Roles", "Created (UTC)", "Keys active", "Disabled");
        foreach (var u in users)
        {
            table.AddRow(
                Markup.Escape(u.Email),
                Markup.Escape(string.Join(", ", u.Roles)),
                u.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                u.ActiveKeys.ToString(CultureInfo.InvariantCulture),
                u.DisabledAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "no");
        }
        console.Write(table);
        console.WriteLine($"{users.Count} user(s).");
    }
}
