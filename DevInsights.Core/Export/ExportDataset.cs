using DevInsights.Core.Export.Parquet;

namespace DevInsights.Core.Export;

/// <summary>One exportable table: its columns (the same names and types in CSV, JSON Lines and Parquet), and the query
/// that streams its rows for a time range, ordered by <see cref="TimeColumn"/> so rows can be cut into daily files.</summary>
/// <param name="Name">The URL and file name, e.g. <c>events</c>.</param>
/// <param name="TimeColumn">Index of the column whose UTC day partitions the rows (a Timestamp or Date column).</param>
/// <param name="Sql">Selects exactly <paramref name="Columns"/> in order, for <c>@from</c> ≤ time &lt; <c>@to</c>.</param>
public sealed record ExportDataset(string Name, string Description, IReadOnlyList<ParquetColumn> Columns, int TimeColumn, string Sql)
{
    public const string SessionsName = "sessions";
    public const string EventsName = "events";
    public const string ToolUsageName = "tool-usage";
    public const string DailyStatsName = "daily-stats";

    private static ParquetColumn Id(string name, bool nullable = false) => new(name, ParquetKind.Int64, nullable);
    private static ParquetColumn Text(string name, bool nullable = true) => new(name, ParquetKind.String, nullable);
    private static ParquetColumn Count(string name) => new(name, ParquetKind.Int64, Nullable: false);

    public static readonly ExportDataset Sessions = new(SessionsName, "Sessions started in the range, with their totals.",
    [
        Id("session_id"), Text("client_session_id", false), Id("project_id"), Text("project", false), Id("machine_id", true), Id("workspace_id", true),
        Text("developer_id"), Text("client", false), Text("models"), new("started_at", ParquetKind.Timestamp, false), new("ended_at", ParquetKind.Timestamp),
        new("last_event_at", ParquetKind.Timestamp, false), Count("duration_ms"), Count("message_count"), Count("event_count"), Count("input_tokens"),
        Count("output_tokens"), Count("cache_read_tokens"), Count("cache_creation_tokens"), new("cost_usd", ParquetKind.Double, false),
        Count("lines_added"), Count("lines_removed"),
    ], 9, """
        SELECT s.id, s.client_session_id, s.project_id, p.name, s.machine_id, s.workspace_id, s.developer_id, s.client, s.models, s.started_at,
            s.ended_at, s.last_event_at, s.duration_ms, s.message_count, s.event_count, s.input_tokens, s.output_tokens, s.cache_read_tokens,
            s.cache_creation_tokens, s.cost_usd, s.lines_added, s.lines_removed
        FROM sessions s JOIN projects p ON p.id = s.project_id
        WHERE s.started_at >= @from AND s.started_at < @to
        ORDER BY s.started_at, s.id
        """);

    public static readonly ExportDataset Events = new(EventsName, "Raw events in the range (what retention keeps), with their session's owner and client.",
    [
        Id("event_id"), Id("session_id"), Text("client_session_id", false), Id("project_id"), Id("machine_id", true), Id("workspace_id", true),
        Text("developer_id"), Text("client", false), new("timestamp", ParquetKind.Timestamp, false), Text("type", false), Text("tool_name"), Text("model"),
        Count("input_tokens"), Count("output_tokens"), Count("cache_read_tokens"), Count("cache_creation_tokens"), new("cost_usd", ParquetKind.Double),
        Id("duration_ms", true), new("success", ParquetKind.Boolean), Text("source", false), Text("client_event_id"),
        new("received_at", ParquetKind.Timestamp, false), Text("attributes_json"),
    ], 8, """
        SELECT e.id, e.session_id, s.client_session_id, e.project_id, e.machine_id, e.workspace_id, s.developer_id, s.client, e.timestamp, e.type,
            e.tool_name, e.model, e.input_tokens, e.output_tokens, e.cache_read_tokens, e.cache_creation_tokens, e.cost_usd, e.duration_ms, e.success,
            e.source, e.client_event_id, e.received_at, e.attributes_json
        FROM events e JOIN sessions s ON s.id = e.session_id
        WHERE e.timestamp >= @from AND e.timestamp < @to
        ORDER BY e.timestamp, e.id
        """);

    public static readonly ExportDataset ToolUsage = new(ToolUsageName, "Tool calls per day, project, machine, workspace, developer, client and tool (from the rollups).",
    [
        new("day", ParquetKind.Date, false), Id("project_id"), Id("machine_id", true), Id("workspace_id", true), Text("developer_id"), Text("client", false),
        Text("tool_name", false), Count("calls"), Count("successes"), Count("errors"),
    ], 0, """
        SELECT t.bucket, t.project_id, NULLIF(t.machine_id, 0), NULLIF(t.workspace_id, 0), NULLIF(t.developer_id, ''), t.client, t.tool_name,
            t.calls, t.successes, t.errors
        FROM tool_rollups t
        WHERE t.grain = 'day' AND t.bucket >= @from AND t.bucket < @to
        ORDER BY t.bucket, t.project_id, t.machine_id, t.workspace_id, t.developer_id, t.client, t.tool_name
        """);

    public static readonly ExportDataset DailyStats = new(DailyStatsName, "Usage per day, project, machine, workspace, developer, client and model (from the rollups).",
    [
        new("day", ParquetKind.Date, false), Id("project_id"), Id("machine_id", true), Id("workspace_id", true), Text("developer_id"), Text("client", false),
        Text("model"), Count("events"), Count("api_requests"), Count("input_tokens"), Count("output_tokens"), Count("cache_read_tokens"),
        Count("cache_creation_tokens"), new("cost_usd", ParquetKind.Double, false), Count("duration_ms"), Count("tool_calls"), Count("tool_successes"),
        Count("tool_errors"), Count("sessions_started"), Count("session_duration_ms"), new("active_time_s", ParquetKind.Double, false),
        Count("lines_added"), Count("lines_removed"),
    ], 0, """
        SELECT u.bucket, u.project_id, NULLIF(u.machine_id, 0), NULLIF(u.workspace_id, 0), NULLIF(u.developer_id, ''), u.client, NULLIF(u.model, ''),
            u.events, u.api_requests, u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_creation_tokens, u.cost_usd, u.duration_ms,
            u.tool_calls, u.tool_successes, u.tool_errors, u.sessions_started, u.session_duration_ms, u.active_time_s, u.lines_added, u.lines_removed
        FROM usage_rollups u
        WHERE u.grain = 'day' AND u.bucket >= @from AND u.bucket < @to
        ORDER BY u.bucket, u.project_id, u.machine_id, u.workspace_id, u.developer_id, u.client, u.model
        """);

    public static readonly IReadOnlyList<ExportDataset> All = [Sessions, Events, ToolUsage, DailyStats];

    public static ExportDataset? Find(string? name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for the datasets read from the rollups (the rollups job should have run before they are exported).</summary>
    public bool FromRollups => this == ToolUsage || this == DailyStats;
}

/// <summary>The file formats of an export.</summary>
public enum ExportFormat
{
    Csv,
    Jsonl,
    Parquet,
}

public static class ExportFormats
{
    public static string Extension(this ExportFormat format) => format switch
    {
        ExportFormat.Csv => "csv",
        ExportFormat.Jsonl => "jsonl",
        _ => "parquet",
    };

    public static string ContentType(this ExportFormat format) => format switch
    {
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.Jsonl => "application/x-ndjson",
        _ => "application/vnd.apache.parquet",
    };

    public static bool TryParse(string? value, out ExportFormat format)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "csv":
                format = ExportFormat.Csv;
                return true;
            case "jsonl" or "ndjson":
                format = ExportFormat.Jsonl;
                return true;
            case "parquet":
                format = ExportFormat.Parquet;
                return true;
            default:
                format = ExportFormat.Csv;
                return false;
        }
    }
}
