using System.Globalization;

namespace DevInsights.Bench;

/// <summary>One measured aspect of DevInsights. A part prints its figures as <c>name=value</c> lines through
/// <see cref="BenchContext.Report"/>, which also keeps them so later parts can quote ratios against earlier ones.</summary>
public interface IBenchPart
{
    /// <summary>The name used with <c>--parts</c>.</summary>
    string Name { get; }

    Task RunAsync(BenchContext context, TextWriter output);
}

/// <summary>What every part may use: where things are, how much to do, and the figures reported so far.</summary>
public sealed class BenchContext
{
    private readonly Dictionary<string, double> _results = new(StringComparer.Ordinal);

    public required string RepositoryRoot { get; init; }
    /// <summary>The server built in this configuration (<c>DevInsights.Web.dll</c>), for parts that launch it.</summary>
    public required string WebDll { get; init; }
    /// <summary>A scratch directory owned by this run, deleted at the end.</summary>
    public required string TempRoot { get; init; }
    /// <summary>Rows per measured insert run.</summary>
    public required int Rows { get; init; }
    /// <summary>Fresh 1,000-event batches per ingestion measurement.</summary>
    public required int IngestBatches { get; init; }
    /// <summary>Repetitions of each measurement; parts report the median.</summary>
    public required int Runs { get; init; }
    /// <summary>Overrides the app's default SQLite <c>synchronous</c> setting for the raw measurements and the servers the parts start (null: the default).</summary>
    public string? SqliteSynchronous { get; init; }
    public required CancellationToken CancellationToken { get; init; }

    public IReadOnlyDictionary<string, double> Results => _results;

    public void Report(TextWriter output, string name, double value, int decimals = 0)
    {
        _results[name] = value;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}={Math.Round(value, decimals)}"));
    }

    public static void Report(TextWriter output, string name, string value) => output.WriteLine($"{name}={value}");

    /// <summary>Progress for the operator; stdout stays <c>name=value</c> only.</summary>
    public static void Progress(string message) => Console.Error.WriteLine("# " + message);

    /// <summary>The machine's one-minute load average ("unknown" where /proc/loadavg is not readable).</summary>
    public static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    public string CreateScratchDirectory(string name)
    {
        var path = Path.Combine(TempRoot, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
