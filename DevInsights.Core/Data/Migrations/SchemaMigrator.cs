using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace DevInsights.Core.Data.Migrations;

/// <summary>Applies the versioned SQL scripts of the configured provider (embedded as
/// <c>migrations/{Sqlite|Postgres}/NNNN_name.sql</c>) in order, each in its own transaction, and records them
/// in <c>schema_migrations</c> with a checksum.</summary>
/// <remarks>Hand-written because <c>dotnet ef migrations</c> cannot run here (see STACK.md). Safe to run from
/// several processes at once: SQLite serialises on BEGIN IMMEDIATE, PostgreSQL on an advisory lock.</remarks>
public sealed class SchemaMigrator(DatabaseConnections connections, ILogger<SchemaMigrator> logger)
{
    private const long AdvisoryLockKey = 0x4465_7649_6E73; // "DevIns"

    public sealed record Script(int Version, string Name, string Sql, string Checksum);

    public IReadOnlyList<Script> Scripts { get; } = LoadScripts(connections.IsSqlite ? "Sqlite" : "Postgres");

    /// <summary>Brings the schema to <paramref name="targetVersion"/> (default: the newest script).</summary>
    public async Task<int> MigrateAsync(int? targetVersion = null, CancellationToken ct = default)
    {
        await using var connection = await connections.OpenAsync(ct);
        await ExecuteAsync(connection, null, connections.IsSqlite
            ? "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL);"
            : "CREATE TABLE IF NOT EXISTS schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL);", ct);

        var applied = 0;
        foreach (var script in Scripts.Where(s => targetVersion is null || s.Version <= targetVersion))
        {
            await using var tx = await BeginExclusiveAsync(connection, ct);
            var existing = await ReadChecksumAsync(connection, tx, script.Version, ct);
            if (existing is not null)
            {
                if (existing != script.Checksum)
                    throw new InvalidOperationException(
                        $"Migration {script.Version:D4}_{script.Name} was changed after it was applied (checksum {existing} in the database, {script.Checksum} shipped). Shipped migrations must never change: add a new one.");
                await tx.RollbackAsync(ct);
                continue;
            }
            logger.LogInformation("Applying migration {Version:D4}_{Name}", script.Version, script.Name);
            await ExecuteAsync(connection, tx, script.Sql, ct);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = tx;
                record.CommandText = "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@v, @n, @c, @a)";
                AddParameter(record, "@v", script.Version);
                AddParameter(record, "@n", script.Name);
                AddParameter(record, "@c", script.Checksum);
                AddParameter(record, "@a", DateTime.UtcNow);
                await record.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
            applied++;
        }
        return applied;
    }

    /// <summary>The newest applied version, or 0 for an empty database.</summary>
    public async Task<int> CurrentVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await connections.OpenAsync(ct);
        try
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
            return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct));
        }
        catch (DbException)
        {
            return 0;
        }
    }

    private async Task<DbTransaction> BeginExclusiveAsync(DbConnection connection, CancellationToken ct)
    {
        // Microsoft.Data.Sqlite begins IMMEDIATE (write-locked) transactions by default, so two processes cannot
        // both read "not applied"; PostgreSQL needs the advisory lock for the same guarantee.
        var tx = await connection.BeginTransactionAsync(ct);
        if (!connections.IsSqlite)
            await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", ct);
        return tx;
    }

    private static async Task<string?> ReadChecksumAsync(DbConnection connection, DbTransaction? tx, int version, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT checksum FROM schema_migrations WHERE version = @v";
        AddParameter(cmd, "@v", version);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void AddParameter(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    private static IReadOnlyList<Script> LoadScripts(string provider)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"migrations/{provider}/";
        var scripts = new List<Script>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var file = Path.GetFileNameWithoutExtension(resource[prefix.Length..]);
            var separator = file.IndexOf('_');
            var version = int.Parse(file[..separator], System.Globalization.CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!, Encoding.UTF8);
            var sql = reader.ReadToEnd().Replace("\r\n", "\n");
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)))[..16];
            scripts.Add(new Script(version, file[(separator + 1)..], sql, checksum));
        }
        return scripts.OrderBy(s => s.Version).ToList();
    }
}
