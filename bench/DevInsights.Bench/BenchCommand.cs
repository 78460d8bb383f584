using System.CommandLine;

// DevInsights' own benchmark: prints one name=value line per figure on stdout (progress goes to stderr).
// Run it with ./bench.sh, which builds everything in Release first.
//
// Parts run in the order below; a part may read the figures of earlier parts from BenchContext.Results (the raw
// SQLite ceiling comes first so that ingest_ratio compares figures of the same run):
//   raw-sqlite -> raw_sqlite_rows_per_s: one prepared INSERT into the app's events table, 1,000 rows per transaction.
//   startup    -> startup_ms, startup_fresh_db_ms: launch to the first 200 from /health.
//   ingest     -> ingest_events_per_s (and _c1, _c4, _c16): POST /api/v1/events, 1,000-event batches, at 1, 4 and 16
//                 concurrent connections against the server on a fresh SQLite database; ingest_ratio = ingest_events_per_s
//                 divided by raw_sqlite_rows_per_s (target >= 0.7); duplicates, p99, peak RSS, reads under ingestion.
//   hierarchy  -> hierarchy_tree_p95_ms and workspace_resolve_p95_ms over 200 workspaces and 1,000,000 events.
//   otlp       -> otlp_log_records_per_s (and per encoding): real Claude Code OTLP log exports, JSON and protobuf.
namespace DevInsights.Bench;

/// <summary>The entry point (a named class rather than top-level statements, whose public <c>Program</c> would clash
/// with the server's in the tests, which reference both).</summary>
public static class BenchCommand
{
    public static async Task<int> Main(string[] args)
    {
        IBenchPart[] parts = [new RawSqliteInsertPart(), new StartupPart(), new IngestPart(), new OtlpIngestPart(), new HierarchyPart(), new RollupsPart()];

        var partsOption = new Option<string[]>("--parts")
        {
            Description = "Parts to run (default: all): " + string.Join(", ", parts.Select(p => p.Name)),
            AllowMultipleArgumentsPerToken = true,
        };
        var rowsOption = new Option<int>("--rows") { Description = "Rows per raw insert run.", DefaultValueFactory = _ => 300_000 };
        var ingestBatchesOption = new Option<int>("--ingest-batches")
        {
            Description = "Fresh 1,000-event batches per ingestion measurement (per run and number of connections).",
            DefaultValueFactory = _ => 100,
        };
        var runsOption = new Option<int>("--runs") { Description = "Repetitions per measurement (the median is reported).", DefaultValueFactory = _ => 5 };
        var synchronousOption = new Option<string?>("--sqlite-synchronous")
        {
            Description = "SQLite synchronous setting for the raw insert part and every server a part starts (default: the app's default), e.g. Normal to compare with PERFORMANCE.md.",
        };
        synchronousOption.AcceptOnlyFromAmong("Normal", "Full", "Extra");
        var webDllOption = new Option<string?>("--web-dll") { Description = "The DevInsights.Web.dll to launch (default: the Release build)." };

        var root = new RootCommand("DevInsights benchmark") { partsOption, rowsOption, ingestBatchesOption, runsOption, synchronousOption, webDllOption };
        root.SetAction(async (parse, ct) =>
        {
            var selected = (parse.GetValue(partsOption) ?? []).SelectMany(p => p.Split(',')).ToHashSet();
            // Checked here rather than in a command validator, which does not see the options' default values.
            var usage = new List<string>();
            if (parse.GetValue(rowsOption) < RawSqliteInsertPart.RowsPerTransaction) usage.Add("--rows must be at least 1000.");
            if (parse.GetValue(runsOption) < 1) usage.Add("--runs must be at least 1.");
            if (parse.GetValue(ingestBatchesOption) < 16) usage.Add("--ingest-batches must be at least 16.");
            if (selected.Where(n => parts.All(p => p.Name != n)).ToList() is { Count: > 0 } unknown)
                usage.Add($"Unknown part(s): {string.Join(", ", unknown)}.");
            if (usage.Count > 0)
            {
                foreach (var line in usage) await Console.Error.WriteLineAsync(line);
                return 2;
            }
            var repositoryRoot = FindRepositoryRoot();
            var context = new BenchContext
            {
                RepositoryRoot = repositoryRoot,
                WebDll = parse.GetValue(webDllOption) ?? Path.Combine(repositoryRoot, "DevInsights.Web", "bin", BuildConfiguration(), "net10.0", "DevInsights.Web.dll"),
                TempRoot = Directory.CreateTempSubdirectory("devinsights-bench-").FullName,
                Rows = parse.GetValue(rowsOption),
                IngestBatches = parse.GetValue(ingestBatchesOption),
                Runs = parse.GetValue(runsOption),
                SqliteSynchronous = parse.GetValue(synchronousOption),
                CancellationToken = ct,
            };
            try
            {
                foreach (var part in parts.Where(p => selected.Count == 0 || selected.Contains(p.Name)))
                {
                    BenchContext.Progress($"part {part.Name}");
                    await part.RunAsync(context, Console.Out);
                    // Other tenants of a shared machine move every wall-time figure: say how busy it was.
                    BenchContext.Report(Console.Out, $"load_average_after_{part.Name.Replace('-', '_')}", BenchContext.LoadAverage());
                }
                return 0;
            }
            finally
            {
                Directory.Delete(context.TempRoot, recursive: true);
            }
        });
        return await root.Parse(args).InvokeAsync();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DevInsights.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("DevInsights.sln not found above " + AppContext.BaseDirectory);
    }

    private static string BuildConfiguration() =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif
}
