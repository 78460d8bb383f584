using System.Data.Common;
using DevInsights.Web.Hosting;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Admin;

/// <summary>Runs <c>DevInsights.Web admin ...</c>: the server's own configuration, database and services,
/// with the schema brought up to date, but no Kestrel and no background services.</summary>
public static class AdminHost
{
    public static bool IsAdminCommand(string[] args) => args.Length > 0 && args[0] == "admin";

    public static async Task<int> RunAsync(string[] args)
    {
        // No command-line configuration source: the command's own options ("--role") are not settings.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        // Stdout carries only the commands' output (scripts read "API key: ..." from it); logs go to stderr.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter((string?)null, LogLevel.Warning);
        builder.AddDevInsights();

        await using var app = builder.Build();
        try
        {
            await ActivatorUtilities.CreateInstance<DatabaseInitializer>(app.Services).InitializeAsync(offerSetupLink: false, CancellationToken.None);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("configuration error: " + string.Join(" ", ex.Failures));
            return 1;
        }
        catch (DbException ex)
        {
            // The operator's own machine: the provider's message (host, file, role) is what they need to fix it.
            await Console.Error.WriteLineAsync("error: the database could not be opened or migrated: " + ex.Message);
            return 1;
        }
        return await AdminCli.RunAsync(app.Services, args, Console.Out, Console.Error);
    }
}
