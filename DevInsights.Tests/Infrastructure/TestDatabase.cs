using DevInsights.Core.Configuration;
using Npgsql;

namespace DevInsights.Tests.Infrastructure;

/// <summary>A throwaway database of either provider, owned by one test class.</summary>
/// <remarks>PostgreSQL comes from <c>DEVINSIGHTS_TEST_POSTGRES</c>, which <c>./test.sh</c> sets after starting a
/// private server on 127.0.0.1; each instance creates and drops its own database there.</remarks>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "DEVINSIGHTS_TEST_POSTGRES";

    private readonly string? _postgresAdmin;
    private readonly string? _databaseName;

    private TestDatabase(DatabaseProvider provider, string directory, string? connectionString, string? postgresAdmin, string? databaseName)
    {
        Provider = provider;
        DataDirectory = directory;
        ConnectionString = connectionString;
        _postgresAdmin = postgresAdmin;
        _databaseName = databaseName;
    }

    public DatabaseProvider Provider { get; }
    public string DataDirectory { get; }
    /// <summary>Null for SQLite: the app derives the file from the data directory.</summary>
    public string? ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        var directory = Path.Combine(Path.GetTempPath(), "devinsights-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        if (provider == DatabaseProvider.Sqlite) return new TestDatabase(provider, directory, null, null, null);

        var admin = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(admin))
            throw new InvalidOperationException($"{PostgresVariable} is not set: run the tests with ./test.sh, which starts a PostgreSQL server.");
        var name = "di_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
        return new TestDatabase(provider, directory, connectionString, admin, name);
    }

    /// <summary>Configuration keys that point the app at this database.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        yield return new("DevInsights:DataDirectory", DataDirectory);
        yield return new("DevInsights:Database:Provider", Provider.ToString());
        yield return new("ConnectionStrings:DevInsights", ConnectionString ?? "");
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresAdmin is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_postgresAdmin);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_databaseName} WITH (FORCE)", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
