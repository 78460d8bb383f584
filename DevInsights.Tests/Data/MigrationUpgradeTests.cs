using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Data.Migrations;
using DevInsights.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DevInsights.Tests.Data;

/// <summary>Each shipped migration upgrades a database created by the previous version without losing rows.</summary>
public sealed class MigrationUpgradeTests
{
    public static TheoryData<DatabaseProvider, int> Upgrades()
    {
        var data = new TheoryData<DatabaseProvider, int>();
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.Postgres })
            foreach (var script in MigratorFor(provider, "Data Source=:memory:").Scripts.Skip(1))
                data.Add(provider, script.Version);
        return data;
    }

    [Theory]
    [MemberData(nameof(Upgrades))]
    public async Task Upgrading_to_a_version_keeps_the_rows_of_the_previous_one(DatabaseProvider provider, int version)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var connections = Connections(provider, database);
        var migrator = new SchemaMigrator(connections, NullLogger<SchemaMigrator>.Instance);
        var previous = migrator.Scripts.Last(s => s.Version < version).Version;

        Assert.Equal(migrator.Scripts.Count(s => s.Version <= previous), await migrator.MigrateAsync(previous));
        Assert.Equal(previous, await migrator.CurrentVersionAsync());
        await SeedAsync(connections);

        await migrator.MigrateAsync(version);

        Assert.Equal(version, await migrator.CurrentVersionAsync());
        Assert.Equal(1L, await ScalarAsync(connections, "SELECT COUNT(*) FROM projects WHERE key = 'https://github.com/acme/acme-api'"));
        Assert.Equal(1L, await ScalarAsync(connections, "SELECT COUNT(*) FROM sessions WHERE client_session_id = 'upgrade-session' AND input_tokens = 1234"));
        Assert.Equal(3L, await ScalarAsync(connections, "SELECT COUNT(*) FROM events WHERE session_id = (SELECT id FROM sessions WHERE client_session_id = 'upgrade-session')"));
        Assert.Equal(42L, await ScalarAsync(connections, "SELECT SUM(input_tokens) FROM events"));
    }

    // Rows written with the columns of 0001 only, as a database of the first release holds them.
    private static async Task SeedAsync(DatabaseConnections connections)
    {
        var t = connections.IsSqlite ? "'2026-11-01 10:00:00'" : "TIMESTAMPTZ '2026-11-01 10:00:00Z'";
        await ExecuteAsync(connections, $"""
            INSERT INTO projects (key, repository_url, host, owner, name, full_name, created_at, last_activity_at)
              VALUES ('https://github.com/acme/acme-api', 'https://github.com/acme/acme-api', 'github.com', 'acme', 'acme-api', 'acme/acme-api', {t}, {t});
            INSERT INTO machines (client_machine_id, hostname, first_seen_at, last_seen_at) VALUES ('devbox', 'devbox', {t}, {t});
            INSERT INTO workspaces (client_workspace_id, project_id, machine_id, path, first_seen_at, last_seen_at)
              VALUES ('devbox:/srv/acme-api', (SELECT id FROM projects), (SELECT id FROM machines), '/srv/acme-api', {t}, {t});
            INSERT INTO sessions (client_session_id, workspace_id, project_id, machine_id, client, started_at, last_event_at, duration_ms,
                message_count, event_count, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd,
                lines_added, lines_removed, created_at, updated_at)
              VALUES ('upgrade-session', (SELECT id FROM workspaces), (SELECT id FROM projects), (SELECT id FROM machines), 'claude-code',
                {t}, {t}, 0, 0, 3, 1234, 10, 0, 0, 0.5, 0, 0, {t}, {t});
            """);
        for (var i = 0; i < 3; i++)
            await ExecuteAsync(connections, $"""
                INSERT INTO events (session_id, project_id, timestamp, type, input_tokens, output_tokens, cache_read_tokens,
                    cache_creation_tokens, source, client_event_id, received_at)
                  VALUES ((SELECT id FROM sessions), (SELECT id FROM projects), {t}, 'api_request', 14, 1, 0, 0, 'api', 'e{i}', {t});
                """);
    }

    private static SchemaMigrator MigratorFor(DatabaseProvider provider, string connectionString) =>
        new(new DatabaseConnections(Options.Create(new DevInsightsOptions { Database = { Provider = provider } }),
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:DevInsights"] = connectionString }).Build()),
            NullLogger<SchemaMigrator>.Instance);

    private static DatabaseConnections Connections(DatabaseProvider provider, TestDatabase database) =>
        new(Options.Create(new DevInsightsOptions { DataDirectory = database.DataDirectory, Database = { Provider = provider } }),
            new ConfigurationBuilder().AddInMemoryCollection(database.Settings()).Build());

    private static async Task ExecuteAsync(DatabaseConnections connections, string sql)
    {
        await using var connection = await connections.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(DatabaseConnections connections, string sql)
    {
        await using var connection = await connections.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
