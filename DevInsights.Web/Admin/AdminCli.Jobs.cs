using System.CommandLine;
using System.Globalization;
using DevInsights.Core.Jobs;
using DevInsights.Web.Jobs;
using Spectre.Console;

namespace DevInsights.Web.Admin;

/// <summary>The job commands of <c>admin</c>: <c>list-jobs</c> and <c>run-job &lt;name&gt;</c>.</summary>
/// <remarks>Exit codes of run-job: 0 the run succeeded, 1 it failed or was refused (unknown, disabled, already running).</remarks>
public static class AdminJobsCli
{
    public static IEnumerable<Command> Build(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var listJobs = new Command("list-jobs", "List the scheduled jobs with their schedule, last run and next run.");
        listJobs.SetAction(async (_, ct) =>
        {
            await using var scope = services.CreateAsyncScope();
            WriteJobs(output, await scope.ServiceProvider.GetRequiredService<JobsOverview>().ListAsync(ct));
            return 0;
        });

        var name = new Argument<string>("name") { Description = "The job's name, as list-jobs shows it." };
        var runJob = new Command("run-job", "Run a job now and wait until it has finished.") { name };
        runJob.SetAction(async (parse, ct) =>
        {
            var runner = services.GetRequiredService<JobRunner>();
            try
            {
                return await WriteResultAsync(await runner.RunAsync(parse.GetRequiredValue(name), "cli", ct), output, error);
            }
            catch (Exception ex) when (IsRefusal(ex))
            {
                await error.WriteLineAsync("error: " + ex.Message);
                return 1;
            }
        });
        return [listJobs, runJob];
    }

    /// <summary>Why the runner would not start a run.</summary>
    internal static bool IsRefusal(Exception ex) => ex is JobNotFoundException or JobDisabledException or JobAlreadyRunningException;

    /// <summary>Prints how a run ended (its summary and figures, or its error) and returns the exit code.</summary>
    internal static async Task<int> WriteResultAsync(JobRunResult result, TextWriter output, TextWriter error)
    {
        if (!result.Succeeded)
        {
            await error.WriteLineAsync($"error: {result.Name} {result.Status} after {result.DurationMs} ms: {result.Error}");
            return 1;
        }
        await output.WriteLineAsync($"{result.Name} succeeded in {result.DurationMs} ms: {result.Summary}");
        foreach (var (key, value) in result.Counts ?? new Dictionary<string, long>())
            await output.WriteLineAsync($"  {key}: {value.ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    private static void WriteJobs(TextWriter output, IReadOnlyList<JobState> jobs)
    {
        var console = AdminCli.ConsoleFor(output);
        var table = new Table().AddColumns("Name", "Schedule", "State", "Last run (UTC)", "Result", "Next run (UTC)");
        foreach (var j in jobs)
        {
            table.AddRow(
                Markup.Escape(j.Name),
                Markup.Escape(j.Schedule ?? "on demand"),
                Markup.Escape(j.Running ? "running" : j.Enabled ? "enabled" : "disabled: " + j.DisabledReason),
                j.LastRun is { } last ? last.StartedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "never",
                Markup.Escape(j.LastRun is { } r ? $"{r.Status}: {r.Summary ?? r.Error}" : "—"),
                j.NextRunAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "—");
        }
        console.Write(table);
        console.WriteLine($"{jobs.Count} job(s).");
    }
}
