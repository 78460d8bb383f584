using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Pricing;
using DevInsights.Tests.Admin;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Costs;

/// <summary>The LiteLLM importer on a small file in LiteLLM's format, through the catalog, the admin command and the API.</summary>
public sealed class LiteLlmImportTests
{
    // Per-token prices as LiteLLM writes them; entries of other providers, non-chat modes and the spec are skipped.
    private const string File = """
        {
          "sample_spec": { "max_tokens": "set to max_output_tokens if provider specifies it", "input_cost_per_token": 0.0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers", "mode": "chat" },
          "claude-sonnet-4-5": { "max_input_tokens": 200000, "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
            "cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06, "cache_read_input_token_cost": 3e-07,
            "litellm_provider": "anthropic", "mode": "chat" },
          "claude-opus-4-9": { "input_cost_per_token": 4e-06, "output_cost_per_token": 2e-05, "cache_creation_input_token_cost": 5e-06,
            "cache_read_input_token_cost": 4e-07, "litellm_provider": "anthropic", "mode": "chat" },
          "gpt-5.5": { "input_cost_per_token": 2e-06, "output_cost_per_token": 1.6e-05, "cache_read_input_token_cost": 2e-07, "litellm_provider": "openai", "mode": "chat" },
          "text-embedding-3-small": { "input_cost_per_token": 2e-08, "output_cost_per_token": 0.0, "litellm_provider": "openai", "mode": "embedding" },
          "bedrock/anthropic.claude-sonnet-4-5": { "input_cost_per_token": 3.3e-06, "output_cost_per_token": 1.65e-05, "litellm_provider": "bedrock", "mode": "chat" }
        }
        """;

    private static MemoryStream Stream() => new(System.Text.Encoding.UTF8.GetBytes(File));

    [Theory, BothProviders]
    public async Task New_and_changed_prices_become_versions_from_their_day_and_a_reimport_changes_nothing(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var catalog = app.Services.GetRequiredService<PriceCatalog>();
        var book = app.Services.GetRequiredService<PriceBook>();
        var day = new DateOnly(2026, 12, 1);

        var result = await catalog.ImportLiteLlmAsync(Stream(), day, "tester");

        // Sonnet 4.5 matches the shipped price: no new version. Opus 4.9 and gpt-5.5 are new.
        Assert.Equal(new PriceImportResult(2, 1, 3), result);
        var table = await book.CurrentAsync();
        var opus = table.Find("claude-opus-4-9-20261201", day)!;
        Assert.Equal((4.0, 20.0, 5.0, (double?)null, 0.4, PriceSources.LiteLlm), (opus.InputPerMtok, opus.OutputPerMtok, opus.CacheWrite5mPerMtok!.Value,
            opus.CacheWrite1hPerMtok, opus.CacheReadPerMtok!.Value, opus.Source));
        Assert.Null(table.Find("claude-opus-4-9", day.AddDays(-1)));
        Assert.Equal((2.0, 16.0, 0.2), (table.Find("gpt-5.5", day)!.InputPerMtok, table.Find("gpt-5.5", day)!.OutputPerMtok, table.Find("gpt-5.5", day)!.CacheReadPerMtok!.Value));
        Assert.Null(table.Find("text-embedding-3-small", day));
        Assert.Equal(PriceSources.Default, table.Find("claude-sonnet-4-5", day)!.Source);

        Assert.Equal(new PriceImportResult(0, 3, 3), await catalog.ImportLiteLlmAsync(Stream(), day, "tester"));
    }

    [Fact]
    public async Task The_admin_command_and_the_upload_import_a_file_and_refuse_what_is_not_one()
    {
        await using var app = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite);
        var path = Path.Combine(app.Database.DataDirectory, "model_prices_and_context_window.json");
        await System.IO.File.WriteAllTextAsync(path, File);

        var cli = await AdminCliRunner.RunAsync(app.Services, "import-prices", path, "--effective-from", "2026-12-01");
        Assert.Equal(0, cli.ExitCode);
        Assert.Contains("Imported 2 price(s) effective 2026-12-01; 1 unchanged, 3 skipped", cli.Output);
        var bad = await AdminCliRunner.RunAsync(app.Services, "import-prices", path, "--effective-from", "December");
        Assert.Equal(1, bad.ExitCode);

        var (admin, _, _) = await app.CreateUserClientAsync(Roles.Admin);
        using (var upload = await admin.PostAsync("/api/v1/admin/prices/litellm?effectiveFrom=2026-12-02", new StringContent(File)))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
            var body = await upload.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((0, 3), (body.GetProperty("added").GetInt32(), body.GetProperty("unchanged").GetInt32()));
        }
        using (var notJson = await admin.PostAsync("/api/v1/admin/prices/litellm", new StringContent("[1, 2]")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
            Assert.True((await notJson.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("body", out _));
        }
        using var badDay = await admin.PostAsync("/api/v1/admin/prices/litellm?effectiveFrom=soon", new StringContent(File));
        Assert.True((await badDay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("effectiveFrom", out _));
    }
}
