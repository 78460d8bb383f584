using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DevInsights.Core.Jobs;

namespace DevInsights.Core.Providers;

/// <summary>What one stream of a provider sync did.</summary>
public sealed record StreamCounts(int Pages, int Buckets, int Inserted, int Updated, DateTime? CompleteUntil);

/// <summary>Follows a provider's paged, bucketed report from a resume point: every page's groups are upserted, and after
/// each page the stream's resume point moves to the end of the last complete bucket seen (a bucket that ended before the
/// run started), so a run that fails or a server that restarts resumes there and re-fetches only what may have changed.</summary>
public sealed class BucketStream<TRow>(ProviderHttp http, ProviderStore store, string stream)
{
    /// <param name="url">The request for a page cursor (null for the first page).</param>
    /// <param name="bucketTimes">A bucket's start and end.</param>
    /// <param name="map">A bucket's results as rows to store.</param>
    /// <param name="upsert">Stores one page's rows idempotently, returning (inserted, updated).</param>
    public async Task<StreamCounts> SyncAsync(DateTime start, DateTime now, Func<string?, string> url,
        Func<JsonElement, (DateTime Start, DateTime End)> bucketTimes, Func<JsonElement, DateTime, DateTime, IEnumerable<TRow>> map,
        Func<IReadOnlyList<TRow>, CancellationToken, Task<(int Inserted, int Updated)>> upsert, IProgress<JobProgress> progress, CancellationToken ct)
    {
        int pages = 0, buckets = 0, inserted = 0, updated = 0;
        DateTime? completeUntil = null;
        DateTime? advanced = null; // the resume point already stored by this run
        string? cursor = null;
        while (true)
        {
            using var page = await http.GetAsync(url(cursor), ct);
            var root = page.RootElement;
            var rows = new List<TRow>();
            DateTime? lastEnd = null;
            if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
            {
                foreach (var bucket in data.EnumerateArray())
                {
                    var (bucketStart, bucketEnd) = bucketTimes(bucket);
                    rows.AddRange(map(bucket, bucketStart, bucketEnd));
                    buckets++;
                    lastEnd = bucketEnd;
                    if (bucketEnd <= now && (completeUntil is null || bucketEnd > completeUntil)) completeUntil = bucketEnd;
                }
            }
            var (i, u) = await upsert(rows, ct);
            inserted += i;
            updated += u;
            pages++;
            if (completeUntil is { } until && until != advanced)
            {
                await store.AdvanceAsync(stream, until, ct);
                advanced = until;
            }
            if (lastEnd is { } end && now > start)
                progress.Report(new JobProgress(Math.Clamp((end - start) / (now - start), 0, 1), $"{stream}: {pages} page(s), {buckets} bucket(s)"));
            cursor = ProviderJson.NextPage(root);
            if (cursor is null) break;
        }
        return new StreamCounts(pages, buckets, inserted, updated, completeUntil);
    }
}

/// <summary>Reading the providers' result objects.</summary>
public static class ProviderJson
{
    /// <summary>The cursor of the next page when the response says there is one (<c>has_more</c> and a non-empty
    /// <c>next_page</c>, as both providers page), else null.</summary>
    public static string? NextPage(JsonElement page) =>
        page.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True
        && page.TryGetProperty("next_page", out var next) && next.ValueKind == JsonValueKind.String && next.GetString() is { Length: > 0 } cursor
            ? cursor : null;

    public static string Text(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    public static long Count(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;

    public static JsonElement? Child(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    /// <summary>A number sent as a JSON number or as a decimal string (Anthropic's cents).</summary>
    public static decimal Decimal(JsonElement e, string property)
    {
        if (!e.TryGetProperty(property, out var v)) return 0;
        if (v.ValueKind == JsonValueKind.Number) return v.GetDecimal();
        return v.ValueKind == JsonValueKind.String && decimal.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0;
    }

    /// <summary>The identity of a result within its bucket: every grouping field (strings, booleans, nulls) except the figures,
    /// as <c>name=value</c> pairs in name order; hashed when longer than the column.</summary>
    public static string GroupKey(JsonElement result)
    {
        var parts = result.EnumerateObject()
            .Where(p => p.Name is not ("object" or "amount") && p.Value.ValueKind is JsonValueKind.String or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + (p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.ValueKind == JsonValueKind.Null ? "" : p.Value.GetRawText()));
        var key = string.Join("|", parts);
        return key.Length <= 800 ? key : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    public static DateTime UnixSeconds(JsonElement e, string property) =>
        DateTimeOffset.FromUnixTimeSeconds(Count(e, property)).UtcDateTime;

    public static DateTime Rfc3339(JsonElement e, string property) =>
        DateTimeOffset.Parse(Text(e, property), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;
}
