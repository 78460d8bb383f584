using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Tests.Infrastructure;

namespace DevInsights.Tests.Admin;

/// <summary>The admin commands as an operator runs them: the real executable in a child process.</summary>
public sealed class AdminExecutableTests
{
    [Fact]
    public async Task The_executable_creates_a_user_whose_printed_key_the_server_accepts()
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new DevInsightsFactory(database);
        var email = ProviderApps.UniqueEmail("exe");

        var created = await RunAsync(database.DataDirectory, "admin", "create-user", email, "--role", "Admin");
        var duplicate = await RunAsync(database.DataDirectory, "admin", "create-user", email);

        Assert.True(created.ExitCode == 0, created.Error);
        // Logs go to stderr, so stdout is exactly what a script reads.
        Assert.Equal(3, created.Output.Trim().Split('\n').Length);
        var key = AdminCliRunner.KeyOf(created.Output);
        Assert.NotNull(key);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Error);

        // The server on the same data directory accepts the key printed by the command.
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        using var response = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(email, me.GetProperty("email").GetString());
        Assert.Equal("Admin", me.GetProperty("roles")[0].GetString());
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string dataDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DevInsights.Web.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DevInsights__DataDirectory"] = dataDirectory;
        start.Environment["DevInsights__Database__Provider"] = "Sqlite";
        start.Environment["ConnectionStrings__DevInsights"] = "";

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet DevInsights.Web.dll {string.Join(' ', args)} did not exit within 90 s.");
        }
        return (process.ExitCode, await output, await error);
    }
}
