using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Ingestion;
using DevInsights.Tests.Infrastructure;
using DevInsights.Web.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DevInsights.Tests.Admin;

public sealed class HealthTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Health_is_200_with_version_and_queue_depth_while_the_database_answers(DatabaseProvider provider)
    {
        await using var factory = await DevInsightsFactory.CreateAsync(provider);

        using var response = await factory.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["status", "version", "database", "ingestionQueueDepth"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal(typeof(Program).Assembly.GetName().Version!.ToString(3), body.GetProperty("version").GetString());
        Assert.Equal("reachable", body.GetProperty("database").GetString());
        Assert.Equal(0, body.GetProperty("ingestionQueueDepth").GetInt32());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Health_is_503_and_says_nothing_more_when_the_database_is_unreachable(DatabaseProvider provider)
    {
        await using var factory = await DevInsightsFactory.CreateAsync(provider);
        await MakeUnreachableAsync(factory.Database);

        using var response = await factory.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"status":"unhealthy","database":"unreachable"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_reports_the_depth_of_the_registered_ingestion_queue()
    {
        await using var factory = await DevInsightsFactory.CreateAsync(DatabaseProvider.Sqlite);
        using var withQueue = factory.WithWebHostBuilder(b =>
            b.ConfigureTestServices(s => s.AddSingleton<IIngestionQueueMetrics>(new FixedDepth(7))));

        var body = await withQueue.CreateClient().GetFromJsonAsync<JsonElement>("/health");

        Assert.Equal(7, body.GetProperty("ingestionQueueDepth").GetInt32());
    }

    [Fact]
    public void A_queue_registered_before_the_administration_services_is_kept()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IIngestionQueueMetrics>(new FixedDepth(3));

        services.AddAdministration();

        using var provider = services.BuildServiceProvider();
        Assert.Equal(3, provider.GetRequiredService<IIngestionQueueMetrics>().Depth);
    }

    /// <summary>SQLite: the data directory disappears (a lost volume); PostgreSQL: the database is dropped.</summary>
    private static async Task MakeUnreachableAsync(TestDatabase database)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(database.DataDirectory, recursive: true);
            return;
        }
        var name = new NpgsqlConnectionStringBuilder(database.ConnectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable(TestDatabase.PostgresVariable));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE {name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private sealed class FixedDepth(int depth) : IIngestionQueueMetrics
    {
        public int Depth => depth;
    }
}
