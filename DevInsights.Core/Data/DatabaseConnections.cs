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

    /// <summary>SQLite settings for the one connection that writes in bulk (the ingestion writer), on top of those of
    /// <see cref="OpenAsync"/>. The default 2 MB page cache cannot hold the pages a 1,000-event transaction touches in
    /// the events table's indexes: pages spilled to the WAL before the commit and were read back again, and the
    /// default checkpoint every 1,000 pages (4 MB) copied the same index pages into the database file many times
    /// over. Measured on the writer alone: 22.4 ms CPU per 1,000 events with the defaults, 19.4 with these (18.5 with a
    /// 64 MB cache, not worth 32 MB more of resident memory). Other connections keep the defaults, so the larger
    /// cache is held once.</summary>
    public const string SqliteBulkWriterPragmas = "PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=10000;";

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
