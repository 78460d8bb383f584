using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Core.Jobs;
using DevInsights.Tests.Hierarchy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Jobs;

/// <summary>A run cut off by a hard stop (no end recorded) is marked interrupted when the server starts again; runs that ended,
/// and runs of the new process, are left alone.</summary>
public sealed class InterruptedRunsTests
{
    [Theory, BothProviders]
    public async Task A_run_left_running_by_a_stopped_server_is_marked_interrupted_at_the_next_start(DatabaseProvider provider)
    {
        var probe = new JobProbe();
        void Services(IServiceCollection s)
        {
            s.AddSingleton(probe);
            s.AddDevInsightsJob<GateJob>();
        }
        var first = await JobsTestHost.CreateAsync(provider, Services);
        var started = DateTime.UtcNow.AddMinutes(-5);
        long cutOff, finished;
        await using (var db = await first.DbAsync())
        {
            // What a killed process leaves behind: the start of a run and nothing more, beside a run that ended.
            var done = new JobRun { JobName = "test-gate", Trigger = "schedule", StartedAt = started.AddMinutes(-1), FinishedAt = started, Status = JobRunStatus.Succeeded, Summary = "ok" };
            var running = new JobRun { JobName = "test-gate", Trigger = "schedule", StartedAt = started, Status = JobRunStatus.Running };
            db.AddRange(done, running);
            await db.SaveChangesAsync();
            (finished, cutOff) = (done.Id, running.Id);
        }
        await first.StopAsync();

        await using var second = JobsTestHost.Create(first.Database, Services);
        await using (var db = await second.DbAsync())
        {
            var runs = await db.Set<JobRun>().AsNoTracking().ToDictionaryAsync(r => r.Id);
            Assert.Equal(JobRunStatus.Interrupted, runs[cutOff].Status);
            Assert.Null(runs[cutOff].FinishedAt);
            Assert.StartsWith("Interrupted: the server stopped before the run finished", runs[cutOff].Error);
            Assert.Equal((JobRunStatus.Succeeded, "ok", (string?)null), (runs[finished].Status, runs[finished].Summary, runs[finished].Error));
        }
        var admin = await second.ClientAsync(Roles.Admin);
        var history = await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/jobs");
        var gate = history.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "test-gate");
        Assert.Equal((cutOff, "interrupted"), (gate.GetProperty("lastRun").GetProperty("id").GetInt64(), gate.GetProperty("lastRun").GetProperty("status").GetString()));

        // A run of this process in progress is never taken for a dead one, and a second call finds nothing left.
        var runner = second.Services.GetRequiredService<JobRunner>();
        var run = runner.RunAsync("test-gate", "manual");
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await runner.MarkInterruptedAsync());
        await using (var db = await second.DbAsync())
            Assert.Equal(JobRunStatus.Running, (await db.Set<JobRun>().AsNoTracking().OrderByDescending(r => r.Id).FirstAsync()).Status);
        probe.Release.SetResult();
        Assert.True((await run).Succeeded);
    }
}
