using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace DevInsights.Core.Providers;

/// <summary>A provider refused or kept failing a request. The message names the provider, path and status, never the key.</summary>
public sealed class ProviderRequestException(string message) : Exception(message);

/// <summary>GETs a provider's JSON with the admin key, retrying 429 and 5xx answers: after <c>Retry-After</c> when the
/// provider sends one (capped), else after 1, 2, 4... seconds.</summary>
public sealed class ProviderHttp(HttpClient http, ProviderOptionsBase options, string provider, Action<HttpRequestMessage> authorize,
    TimeProvider clock, ILogger logger)
{
    /// <summary>Requests retried so far in this run.</summary>
    public int Retries { get; private set; }

    public async Task<JsonDocument> GetAsync(string pathAndQuery, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
            authorize(request);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.IsSuccessStatusCode)
            {
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                return await JsonDocument.ParseAsync(body, cancellationToken: ct);
            }
            var status = (int)response.StatusCode;
            var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500;
            var path = pathAndQuery.Split('?')[0];
            if (!retryable || attempt >= options.MaxAttempts)
            {
                var detail = await ErrorMessageAsync(response, ct);
                throw new ProviderRequestException(
                    $"{provider} answered {status} {response.ReasonPhrase} for {path}{(retryable ? $" after {attempt} attempts" : "")}{detail}");
            }
            var delay = RetryDelay(response, attempt);
            Retries++;
            logger.LogInformation("{Provider} answered {Status} for {Path}; retrying in {Delay} (attempt {Attempt} of {Max})",
                provider, status, path, delay, attempt + 1, options.MaxAttempts);
            await Task.Delay(delay, clock, ct);
        }
    }

    private TimeSpan RetryDelay(HttpResponseMessage response, int attempt)
    {
        var max = TimeSpan.FromSeconds(options.MaxRetryAfterSeconds);
        var retryAfter = response.Headers.RetryAfter;
        TimeSpan? asked = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - clock.GetUtcNow() : null);
        if (asked is { } wait) return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > max ? max : wait;
        var backoff = TimeSpan.FromSeconds(Math.Pow(2, attempt - 1));
        return backoff > max ? max : backoff;
    }

    /// <summary>The provider's own error message (their JSON carries <c>error.message</c>), which never echoes the key.</summary>
    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return json.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                ? ": " + message.GetString()
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
