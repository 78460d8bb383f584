using DevInsights.Core.Costs;
using DevInsights.Core.Jobs;
using DevInsights.Core.Pricing;
using DevInsights.Core.Providers;
using DevInsights.Web.Api;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Hosting;

/// <summary>Costs: the price table (catalog, LiteLLM import, re-pricing of stored events), the provider usage and cost jobs with their HTTP clients, the
/// provider mappings, the reconciliation query and its API.</summary>
public static class CostsRegistration
{
    public static IServiceCollection AddCosts(this IServiceCollection services)
    {
        services.AddOptions<ProvidersOptions>().BindConfiguration(ProvidersOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProvidersOptions>, ProvidersOptionsValidator>();
        services.AddSingleton<PriceCatalog>();
        services.AddSingleton<ProviderStore>();
        services.AddSingleton<ProviderMappings>();
        services.AddSingleton<CostsQuery>();
        // Base addresses are read when a client is created, so test hosts' settings apply.
        services.AddHttpClient(OpenAIUsageJob.ClientName, (sp, c) => c.BaseAddress = new Uri(sp.GetRequiredService<IOptions<ProvidersOptions>>().Value.OpenAI.BaseUrl));
        services.AddHttpClient(AnthropicUsageJob.ClientName, (sp, c) => c.BaseAddress = new Uri(sp.GetRequiredService<IOptions<ProvidersOptions>>().Value.Anthropic.BaseUrl));
        services.AddDevInsightsJob<OpenAIUsageJob>();
        services.AddDevInsightsJob<AnthropicUsageJob>();
        services.AddDevInsightsJob<ClaudeCodeReportJob>();
        services.AddSingleton<EventRepricer>();
        services.AddDevInsightsJob<RepriceJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapCostsEndpoints(this IEndpointRouteBuilder app) => app.MapCostsApi();
}

/// <summary>Refuses unusable provider settings at start, naming the key.</summary>
public sealed class ProvidersOptionsValidator : IValidateOptions<ProvidersOptions>
{
    public ValidateOptionsResult Validate(string? name, ProvidersOptions options)
    {
        var errors = new List<string>();
        Check(errors, "OpenAI", options.OpenAI.BaseUrl, options.OpenAI.BucketWidth, options.OpenAI);
        Check(errors, "Anthropic", options.Anthropic.BaseUrl, options.Anthropic.BucketWidth, options.Anthropic);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, string provider, string baseUrl, string width, ProviderOptionsBase o)
    {
        var prefix = $"{ProvidersOptions.SectionName}:{provider}:";
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            errors.Add($"{prefix}BaseUrl must be an absolute http(s) URL.");
        if (width is not ("1h" or "1d")) errors.Add($"{prefix}BucketWidth must be 1h or 1d.");
        if (o.BackfillDays is < 1 or > 366) errors.Add($"{prefix}BackfillDays must be between 1 and 366.");
        if (o.MaxAttempts is < 1 or > 20) errors.Add($"{prefix}MaxAttempts must be between 1 and 20.");
        if (o.MaxRetryAfterSeconds is < 0 or > 3600) errors.Add($"{prefix}MaxRetryAfterSeconds must be between 0 and 3600.");
    }
}
