using System.Globalization;
using DevInsights.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace DevInsights.Core.Providers;

/// <summary>What the provider sync jobs share: the key check, the HTTP client with retries, the first-run start and the
/// run's outcome.</summary>
public abstract class ProviderJobBase(IHttpClientFactory clients, ProviderStore store, TimeProvider clock, ILogger logger)
{
    protected ProviderStore Store { get; } = store;
    protected TimeProvider Clock { get; } = clock;

    protected abstract ProviderOptionsBase Options { get; }
    protected abstract string ProviderName { get; }
    protected abstract string KeySetting { get; }

    public string? DisabledReason => Options.HasKey ? null : $"no admin key configured ({KeySetting})";

    protected ProviderHttp Http(string clientName, Action<HttpRequestMessage> authorize) =>
        new(clients.CreateClient(clientName), Options, ProviderName, authorize, Clock, logger);

    /// <summary>The stream's resume point, or UTC midnight <see cref="ProviderOptionsBase.BackfillDays"/> ago before its first complete bucket.</summary>
    protected async Task<DateTime> StartOfAsync(string stream, DateTime now, CancellationToken ct) =>
        await Store.ResumePointAsync(stream, ct) ?? now.Date.AddDays(-Math.Max(1, Options.BackfillDays));

    /// <summary>The bucket width to ask for (<c>1h</c> or <c>1d</c>) and the most buckets a page of that width may hold.</summary>
    protected static (string Width, int Limit) Buckets(string configured) => configured == "1h" ? ("1h", 168) : ("1d", 31);

    protected static JobOutcome Outcome(string provider, ProviderHttp http, params (string Name, StreamCounts Counts)[] streams)
    {
        var counts = new Dictionary<string, long>();
        foreach (var (name, c) in streams)
        {
            counts[$"{name}.pages"] = c.Pages;
            counts[$"{name}.buckets"] = c.Buckets;
            counts[$"{name}.inserted"] = c.Inserted;
            counts[$"{name}.updated"] = c.Updated;
        }
        counts["retries"] = http.Retries;
        var parts = streams.Select(s => $"{s.Name} {s.Counts.Buckets} bucket(s) in {s.Counts.Pages} page(s), {s.Counts.Inserted} new, {s.Counts.Updated} updated"
            + (s.Counts.CompleteUntil is { } until ? $", complete until {until.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC" : ""));
        return new JobOutcome($"{provider}: {string.Join("; ", parts)}" + (http.Retries > 0 ? $"; {http.Retries} retried request(s)" : ""), counts);
    }
}
