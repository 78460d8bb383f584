using System.Diagnostics;
using System.Text.Json;

namespace DevInsights.Tests.Export;

/// <summary>A real DuckDB (npm <c>@duckdb/node-api</c>, installed by scripts/install-test-deps.sh) run through node, so
/// the Parquet files DevInsights writes are checked by an independent reader.</summary>
public static class DuckDb
{
    private static readonly string Script = Find();

    /// <summary>The result of one query: column names with DuckDB's type names, and the rows as JSON values
    /// (big integers and decimals come back as strings).</summary>
    public sealed record Result(IReadOnlyList<(string Name, string Type)> Columns, IReadOnlyList<JsonElement[]> Rows)
    {
        public string TypeOf(string column) => Columns.Single(c => c.Name == column).Type;
    }

    public static async Task<Result> QueryAsync(string sql)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(sql);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"DuckDB failed ({process.ExitCode}): {await error}");
        using var json = JsonDocument.Parse(await output);
        var columns = json.RootElement.GetProperty("columns").EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!)).ToList();
        var rows = json.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.Clone()).ToArray()).ToList();
        return new Result(columns, rows);
    }

    /// <summary>A path quoted as a DuckDB string literal.</summary>
    public static string Literal(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scripts", "duckdb", "query.mjs");
            if (File.Exists(candidate))
            {
                if (!Directory.Exists(Path.Combine(dir.FullName, "scripts", "duckdb", "node_modules", "@duckdb", "node-api")))
                    throw new InvalidOperationException("DuckDB is not installed: run scripts/install-test-deps.sh (./test.sh does).");
                return candidate;
            }
        }
        throw new FileNotFoundException("scripts/duckdb/query.mjs not found above the test binaries.");
    }
}
