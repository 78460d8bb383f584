using System.Collections.Concurrent;
using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Jobs;
using DevInsights.Tests.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DevInsights.Tests.Costs;

/// <summary>Day buckets ending today, paged by the fake servers, and a host whose logs are captured.</summary>
public static class ProviderTestKit
{
    public const string OpenAIKey = "sk-admin-test-0123456789abcdef";
    public const string AnthropicKey = "sk-ant-admin01-test-fedcba9876543210";

    public static DateTime Today => DateTime.UtcNow.Date;

    /// <summary>UTC midnights from <paramref name="daysBack"/> days ago to today.</summary>
    public static List<DateTime> Days(int daysBack) => Enumerable.Range(0, daysBack + 1).Select(i => Today.AddDays(i - daysBack)).ToList();

    /// <summary>One page of <paramref name="buckets"/> from those starting at or after <paramref name="start"/>, cursor = index.</summary>
    public static IResult Page<T>(IReadOnlyList<(DateTime Start, T Bucket)> buckets, DateTime start, string? cursor, int pageSize)
    {
        var from = buckets.Where(b => b.Start >= start).Select(b => b.Bucket).ToList();
        var index = cursor is null ? 0 : int.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);
        var page = from.Skip(index).Take(pageSize).ToList();
        var more = index + pageSize < from.Count;
        return Results.Json(new { @object = "page", data = page, has_more = more, next_page = more ? (index + pageSize).ToString(System.Globalization.CultureInfo.InvariantCulture) : null });
    }

    public static Task<JobsTestHost> HostAsync(DatabaseProvider provider, LogCapture logs, IDictionary<string, string?> settings) =>
        JobsTestHost.CreateAsync(provider, s => s.AddSingleton<ILoggerProvider>(logs), settings);

    /// <summary>Stops <paramref name="previous"/> and starts a new host on its database (dispose only the new one).</summary>
    public static async Task<JobsTestHost> RestartAsync(JobsTestHost previous, LogCapture logs, IDictionary<string, string?> settings)
    {
        await previous.StopAsync();
        return JobsTestHost.Create(previous.Database, s => s.AddSingleton<ILoggerProvider>(logs), settings);
    }

    public static Task<JobRunResult> RunAsync(JobsTestHost host, string job) => host.Services.GetRequiredService<JobRunner>().RunAsync(job, "manual");
}

/// <summary>Every log message of a host, to prove secrets never reach the logs.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Messages.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
