using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace DevInsights.Web.Security;

/// <summary>Rate limits: sign-in attempts per client address (on top of Identity's lockout per account), and
/// requests per API key on key-authenticated endpoints. Limits come from DevInsights:RateLimits.</summary>
public static class RateLimits
{
    public const string LoginPolicy = "login";

    public sealed class Options
    {
        public int LoginPerMinute { get; set; } = 20;
        /// <summary>A collector posts about once a second; the benchmark's 1,000-event batches run far above that.</summary>
        public int ApiRequestsPerMinutePerKey { get; set; } = 20_000;
    }

    public static IServiceCollection AddDevInsightsRateLimits(this IServiceCollection services)
    {
        services.AddOptions<Options>().BindConfiguration("DevInsights:RateLimits");
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (ctx, ct) =>
            {
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    ctx.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: 429, title: "Too many requests", detail: "Rate limit exceeded; retry after the delay in Retry-After.")
                    .ExecuteAsync(ctx.HttpContext);
            };
            limiter.AddPolicy(LoginPolicy, http =>
            {
                var o = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Options>>().Value;
                // Only form posts count: showing the page is free.
                if (!HttpMethods.IsPost(http.Request.Method)) return RateLimitPartition.GetNoLimiter("get");
                return RateLimitPartition.GetFixedWindowLimiter("login:" + http.Connection.RemoteIpAddress,
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = o.LoginPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            // Global, so every API and OTLP route is covered without each endpoint group opting in.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (!http.Request.Path.StartsWithSegments("/api") && !http.Request.Path.StartsWithSegments("/v1"))
                    return RateLimitPartition.GetNoLimiter("pages");
                var o = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Options>>().Value;
                var key = ApiKeyAuthenticationHandler.ReadKey(http.Request);
                // Partition by the key's hash prefix, never by the secret itself (partition keys may be logged).
                var partition = key is null ? "anon:" + http.Connection.RemoteIpAddress : "key:" + Core.Identity.ApiKeyService.Hash(key)[..16];
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, o.ApiRequestsPerMinutePerKey / 6),
                    TokensPerPeriod = Math.Max(1, o.ApiRequestsPerMinutePerKey / 60),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }
}
