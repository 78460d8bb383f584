using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using DevInsights.Core.Jobs;
using DevInsights.Tests.Admin;
using DevInsights.Tests.Hierarchy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Jobs;

public sealed class JobsApiTests
{
    private static Task<JobsTestHost> HostAsync(DatabaseProvider provider, JobProbe probe, IDictionary<string, string?>? settings = null) =>
        JobsTestHost.CreateAsync(provider, s =>
        {
            s.AddSingleton(probe);
            s.AddDevInsightsJob<GateJob>();
            s.AddDevInsightsJob<FailingJob>();
            s.AddDevInsightsJob<DisabledJob>();
        }, settings);

    [Theory, BothProviders]
    public async Task Run_now_answers_with_the_finished_run_and_refuses_a_second_run_meanwhile(DatabaseProvider provider)
    {
        var probe = new JobProbe();
        await using var host = await HostAsync(provider, probe);
        var admin = await host.ClientAsync(Roles.Admin);

        var first = admin.PostAsync("/api/v1/admin/jobs/test-gate/run", null);
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using (var busy = await admin.PostAsync("/api/v1/admin/jobs/test-gate/run", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
            Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
        }
        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/jobs");
        var gate = listed.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "test-gate");
        Assert.True(gate.GetProperty("running").GetBoolean());
        Assert.Equal(0.5, gate.GetProperty("progress").GetProperty("fraction").GetDouble());
        Assert.Equal("half way", gate.GetProperty("progress").GetProperty("message").GetString());

        probe.Release.SetResult();
        using var response = await first;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal("api", run.GetProperty("trigger").GetString());
        Assert.Equal("Run 1 done", run.GetProperty("summary").GetString());
        Assert.Equal(1, run.GetProperty("counts").GetProperty("run").GetInt64());
        Assert.Equal(1, probe.Runs);

        // The run is in the history, and the list shows it as the last run.
        await using (var db = await host.DbAsync())
        {
            var stored = await db.Set<JobRun>().SingleAsync(r => r.JobName == "test-gate");
            Assert.Equal(JobRunStatus.Succeeded, stored.Status);
            Assert.Equal("""{"run":1}""", stored.CountsJson);
            Assert.NotNull(stored.FinishedAt);
        }
        listed = await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/jobs");
        gate = listed.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "test-gate");
        Assert.False(gate.GetProperty("running").GetBoolean());
        Assert.Equal("Run 1 done", gate.GetProperty("lastRun").GetProperty("summary").GetString());
    }

    [Theory, BothProviders]
    public async Task Unknown_disabled_and_failing_jobs_answer_problem_details(DatabaseProvider provider)
    {
        await using var host = await HostAsync(provider, new JobProbe());
        var admin = await host.ClientAsync(Roles.Admin);

        using var unknown = await admin.PostAsync("/api/v1/admin/jobs/no-such-job/run", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        using var disabled = await admin.PostAsync("/api/v1/admin/jobs/test-disabled/run", null);
        Assert.Equal(HttpStatusCode.Conflict, disabled.StatusCode);
        Assert.Contains("no admin key configured", (await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        using var failing = await admin.PostAsync("/api/v1/admin/jobs/test-failing/run", null);
        Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        var problem = await failing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("provider said no", problem.GetProperty("detail").GetString());
        Assert.Equal("failed", problem.GetProperty("run").GetProperty("status").GetString());

        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/jobs");
        var disabledState = listed.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "test-disabled");
        Assert.False(disabledState.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, disabledState.GetProperty("nextRunAt").ValueKind);
        Assert.Equal("0 0 * * * ?", disabledState.GetProperty("schedule").GetString());
    }

    [Fact]
    public async Task A_scheduled_job_runs_from_configuration_and_never_overlaps_a_run_now()
    {
        var probe = new JobProbe();
        await using var host = await HostAsync(DatabaseProvider.Sqlite, probe,
            new Dictionary<string, string?> { ["DevInsights:Jobs:test-gate:Schedule"] = "* * * * * ?" });
        var admin = await host.ClientAsync(Roles.Admin);

        // Fires within a second; while it waits, the API and further fires are refused.
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using (var busy = await admin.PostAsync("/api/v1/admin/jobs/test-gate/run", null))
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        await Task.Delay(2500);
        Assert.Equal(1, probe.Runs);
        probe.Release.SetResult();

        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/v1/admin/jobs");
        var gate = listed.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "test-gate");
        Assert.Equal("* * * * * ?", gate.GetProperty("schedule").GetString());
        Assert.NotEqual(JsonValueKind.Null, gate.GetProperty("nextRunAt").ValueKind);
        lock (probe.Triggers) Assert.Equal("schedule", probe.Triggers[0]);
        Assert.Equal(1, probe.MaxConcurrent);
    }

    [Fact]
    public async Task Admin_commands_list_and_run_jobs()
    {
        var probe = new JobProbe();
        probe.Release.SetResult();
        await using var host = await HostAsync(DatabaseProvider.Sqlite, probe);

        var ran = await AdminCliRunner.RunAsync(host.Services, "run-job", "test-gate");
        Assert.Equal(0, ran.ExitCode);
        Assert.Contains("test-gate succeeded", ran.Output);
        Assert.Contains("run: 1", ran.Output);

        var failed = await AdminCliRunner.RunAsync(host.Services, "run-job", "test-failing");
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("provider said no", failed.Error);

        var unknown = await AdminCliRunner.RunAsync(host.Services, "run-job", "nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no job named 'nope'", unknown.Error);

        var listed = await AdminCliRunner.RunAsync(host.Services, "list-jobs");
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("test-gate", listed.Output);
        Assert.Contains("disabled: no admin key configured", listed.Output);
        Assert.Contains("succeeded: Run 1 done", listed.Output);
    }

    [Fact]
    public async Task An_invalid_schedule_stops_the_start_naming_the_key()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => HostAsync(DatabaseProvider.Sqlite, new JobProbe(),
            new Dictionary<string, string?> { ["DevInsights:Jobs:test-gate:Schedule"] = "every minute" }));
        Assert.Contains("DevInsights:Jobs:test-gate:Schedule", error.ToString());
    }
}
