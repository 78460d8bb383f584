using System.Collections.Concurrent;
using System.Text.Json;
using DevInsights.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DevInsights.Core.Jobs;

/// <summary>A registered job's description, read from a fresh scope.</summary>
public sealed record JobInfo(string Name, string Description, string? DefaultSchedule, string? DisabledReason);

/// <summary>How a run ended.</summary>
public sealed record JobRunResult(long RunId, string Name, string Trigger, string Status, DateTime StartedAt, DateTime FinishedAt,
    string? Summary, IReadOnlyDictionary<string, long>? Counts, string? Error)
{
    public long DurationMs => (long)(FinishedAt - StartedAt).TotalMilliseconds;
    public bool Succeeded => Status == JobRunStatus.Succeeded;
}

/// <summary>A run in progress in this process.</summary>
public sealed record RunningJob(string Name, string Trigger, DateTime StartedAt, JobProgress? Progress);

public sealed class JobNotFoundException(string name) : Exception($"There is no job named '{name}'.");

public sealed class JobDisabledException(string name, string reason) : Exception($"The job '{name}' is disabled: {reason}");

public sealed class JobAlreadyRunningException(string name) : Exception($"The job '{name}' is already running.");

/// <summary>Runs jobs — on schedule (Quartz), from the Jobs page, the API and the admin command — never two runs of the
/// same job at once in this process, each in a fresh DI scope, recording every run in <c>job_runs</c> and telling
/// subscribers (the Jobs page) about starts, progress and ends.</summary>
public sealed class JobRunner(IServiceScopeFactory scopes, IDbContextFactory<DevInsightsDbContext> dbFactory, TimeProvider clock,
    ILogger<JobRunner> logger, IHostApplicationLifetime? lifetime = null)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, RunningJob> _running = new(StringComparer.Ordinal);
    // Every run of this process starts after this instant (runs go through this singleton), so older runs are other processes'.
    private readonly DateTime _createdAt = clock.GetUtcNow().UtcDateTime;
    private readonly Lock _lock = new();
    private Action<string>[] _subscribers = [];

    /// <summary>Every registered job, in name order.</summary>
    public IReadOnlyList<JobInfo> Jobs()
    {
        using var scope = scopes.CreateScope();
        return scope.ServiceProvider.GetServices<IDevInsightsJob>()
            .Select(j => new JobInfo(j.Name, j.Description, j.DefaultSchedule, j.DisabledReason))
            .OrderBy(j => j.Name, StringComparer.Ordinal).ToList();
    }

    public RunningJob? Running(string name) => _running.TryGetValue(name, out var running) ? running : null;

    /// <summary>Calls <paramref name="changed"/> with a job's name when a run of it starts, reports progress (at most every
    /// 100 ms) or ends. The callback runs on the job's thread: hand work off, never block.</summary>
    public IDisposable Subscribe(Action<string> changed)
    {
        lock (_lock) _subscribers = [.. _subscribers, changed];
        return new Subscription(this, changed);
    }

    /// <summary>Runs <paramref name="name"/> now and returns when it has finished. A failed run is returned, not thrown.</summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="JobDisabledException">The job is off (e.g. no provider key).</exception>
    /// <exception cref="JobAlreadyRunningException">A run of it is in progress.</exception>
    public async Task<JobRunResult> RunAsync(string name, string trigger, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var job = scope.ServiceProvider.GetServices<IDevInsightsJob>().FirstOrDefault(j => j.Name == name)
            ?? throw new JobNotFoundException(name);
        if (job.DisabledReason is { } reason) throw new JobDisabledException(name, reason);
        var started = clock.GetUtcNow().UtcDateTime;
        var running = new RunningJob(name, trigger, started, null);
        if (!_running.TryAdd(name, running)) throw new JobAlreadyRunningException(name);
        try
        {
            var runId = await RecordStartAsync(name, trigger, started);
            Notify(name);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime?.ApplicationStopping ?? CancellationToken.None);
            var progress = new ProgressReporter(this, name, clock);
            string status;
            JobOutcome? outcome = null;
            string? error = null;
            try
            {
                outcome = await job.RunAsync(new JobRunContext(trigger, started, progress), linked.Token);
                status = JobRunStatus.Succeeded;
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                status = JobRunStatus.Cancelled;
                error = "The run was cancelled (the server is stopping).";
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Job {Job} failed", name);
                status = JobRunStatus.Failed;
                error = ex.Message;
            }
            var result = new JobRunResult(runId, name, trigger, status, started, clock.GetUtcNow().UtcDateTime, outcome?.Summary, outcome?.Counts, error);
            await RecordEndAsync(result);
            logger.LogInformation("Job {Job} ({Trigger}) {Status} in {DurationMs} ms: {Summary}", name, trigger, status, result.DurationMs, result.Summary ?? error);
            return result;
        }
        finally
        {
            _running.TryRemove(name, out _);
            Notify(name);
        }
    }

    /// <summary>Marks the runs recorded as running by an earlier process (one stopped hard mid-run, which never recorded an end) as
    /// <see cref="JobRunStatus.Interrupted"/>; returns how many. Called once at start, before anything is scheduled.</summary>
    /// <remarks>Correct for one server on the database: every run that started before this runner existed belongs to a process
    /// that is gone. An <c>admin run-job</c> still running in another process is marked too, and its own end overwrites the
    /// mark. Several servers on one database would need each run to name its instance and that instance to prove it is alive
    /// (a heartbeat column, or Quartz's clustered store with its instance check-ins), marking only the runs of dead instances.</remarks>
    public async Task<int> MarkInterruptedAsync(CancellationToken ct = default)
    {
        var error = $"Interrupted: the server stopped before the run finished (found at the start of {clock.GetUtcNow().UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC).";
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var marked = await db.Set<JobRun>().Where(r => r.Status == JobRunStatus.Running && r.StartedAt < _createdAt)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, JobRunStatus.Interrupted)
                .SetProperty(r => r.Error, error), ct);
        if (marked > 0) logger.LogWarning("{Count} job run(s) left running by a stopped server marked as interrupted", marked);
        return marked;
    }

    private async Task<long> RecordStartAsync(string name, string trigger, DateTime started)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        var run = new JobRun { JobName = name, Trigger = trigger, StartedAt = started, Status = JobRunStatus.Running };
        db.Add(run);
        await db.SaveChangesAsync(CancellationToken.None);
        return run.Id;
    }

    // Not cancellable: a run that ended must be recorded even while the host stops.
    private async Task RecordEndAsync(JobRunResult result)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await db.Set<JobRun>().Where(r => r.Id == result.RunId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, result.Status)
            .SetProperty(r => r.FinishedAt, result.FinishedAt)
            .SetProperty(r => r.Summary, Truncate(result.Summary, 2000))
            .SetProperty(r => r.CountsJson, result.Counts == null ? null : JsonSerializer.Serialize(result.Counts))
            .SetProperty(r => r.Error, Truncate(result.Error, 4000)), CancellationToken.None);
    }

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];

    private void Notify(string name)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            try
            {
                subscriber(name);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A job subscriber failed");
            }
        }
    }

    private void Unsubscribe(Action<string> changed)
    {
        lock (_lock) _subscribers = _subscribers.Where(s => s != changed).ToArray();
    }

    private sealed class Subscription(JobRunner owner, Action<string> changed) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(changed);
    }

    /// <summary>Keeps the latest progress of a run and tells subscribers, at most every 100 ms (the last report always
    /// lands in <see cref="Running"/>).</summary>
    private sealed class ProgressReporter(JobRunner owner, string name, TimeProvider clock) : IProgress<JobProgress>
    {
        private long _lastNotified = long.MinValue;

        public void Report(JobProgress value)
        {
            if (!owner._running.TryGetValue(name, out var running)) return;
            owner._running[name] = running with { Progress = value };
            var now = clock.GetTimestamp();
            var last = Interlocked.Read(ref _lastNotified);
            if (last != long.MinValue && clock.GetElapsedTime(last, now) < ProgressInterval) return;
            Interlocked.Exchange(ref _lastNotified, now);
            owner.Notify(name);
        }
    }
}
