using System.Data.Common;
using DevInsights.Core.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DevInsights.Core.Data;

/// <summary>The one place that chooses the database provider and its connection string.</summary>
public sealed class DatabaseConnections
{
    public const string ConnectionStringName = "DevInsights";

    public DatabaseConnections(IOptions<DevInsightsOptions> options, IConfiguration configuration)
    {
        var o = options.Value;
        Provider = o.Database.Provider;
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (Provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(configured))
                throw new OptionsValidationException(ConnectionStringName, typeof(DevInsightsOptions),
                    ["ConnectionStrings:DevInsights is required when DevInsights:Database:Provider is Postgres."]);
            ConnectionString = configured;
            return;
        }

        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
        }
        else
        {
            var directory = Path.GetFullPath(o.DataDirectory);
            Directory.CreateDirectory(directory);
            ConnectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(directory, "devinsights.db"),
                Pooling = true,
                DefaultTimeout = 30,
            }.ToString();
        }
        SqliteSynchronous = o.Database.SqliteSynchronous.ToUpperInvariant();
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    private string SqliteSynchronous { get; } = "FULL";

    public bool IsSqlite => Provider == DatabaseProvider.Sqlite;

    public void Configure(DbContextOptionsBuilder builder)
    {
        if (IsSqlite) builder.UseSqlite(ConnectionString);
        else builder.UseNpgsql(ConnectionString);
    }

    /// <summary>An open raw connection, for the migrator and the ingestion writer (no change tracker).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection connection = IsSqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        if (IsSqlite)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"PRAGMA journal_mode=WAL; PRAGMA synchronous={SqliteSynchronous}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return connection;
    }
}
