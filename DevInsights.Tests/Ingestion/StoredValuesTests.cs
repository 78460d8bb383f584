using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Ingestion;
using DevInsights.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static DevInsights.Tests.Ingestion.IngestionTestKit;

namespace DevInsights.Tests.Ingestion;

/// <summary>The writer's raw inserts store every kind of value as EF Core reads it back, and on SQLite exactly as
/// Microsoft.Data.Sqlite would have stored it (the writer binds values itself there).</summary>
public sealed class StoredValuesTests
{
    private static readonly DateTime Whole = new(2026, 3, 14, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Fraction = new DateTime(2026, 3, 14, 9, 0, 1, DateTimeKind.Utc).AddTicks(1_234_560); // microseconds: PostgreSQL keeps no more

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Values_of_every_type_come_back_as_they_were_sent(DatabaseProvider provider)
    {
        await using var app = await DevInsightsFactory.CreateAsync(provider);
        var sid = NewSessionId();
        var projectId = await app.Services.GetRequiredService<UnassignedProject>().GetIdAsync();
        IngestEvent[] sent =
        [
            new() { ClientSessionId = sid, Timestamp = Whole, Type = "api_request", ClientEventId = "a", Model = "claude-sonnet-4-5",
                InputTokens = 1200, OutputTokens = 300, CacheReadTokens = 40_000, CacheCreationTokens = 7, CostUsd = 0.0123, DurationMs = 950,
                AttributesJson = """{"app.version":"2.1","term":"xterm — ünïcode"}""" },
            new() { ClientSessionId = sid, Timestamp = Fraction, Type = "tool_result", ClientEventId = "b", ToolName = "Bash", Success = true },
            new() { ClientSessionId = sid, Timestamp = Fraction.AddSeconds(1), Type = "tool_result", ToolName = "Edit", Success = false },
        ];
        var result = await app.Services.GetRequiredService<IngestionQueue>().SubmitAsync(new IngestBatch("api", sent,
            new Dictionary<string, SessionContext> { [sid] = new("claude-code", null, projectId, null, null) }));
        Assert.Equal(new IngestResult(3, 0), result);

        var stored = await app.EventsAsync(sid);
        Assert.Equal(3, stored.Count);
        for (var i = 0; i < sent.Length; i++)
        {
            var (e, s) = (sent[i], stored[i]);
            Assert.Equal((e.Timestamp, e.Type, e.ClientEventId, e.Model, e.ToolName, e.Success),
                (DateTime.SpecifyKind(s.Timestamp, DateTimeKind.Utc), s.Type, s.ClientEventId, s.Model, s.ToolName, s.Success));
            Assert.Equal((e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheCreationTokens, e.CostUsd, e.DurationMs, e.AttributesJson),
                (s.InputTokens, s.OutputTokens, s.CacheReadTokens, s.CacheCreationTokens, s.CostUsd, s.DurationMs, s.AttributesJson));
            Assert.Null(s.MachineId);
            Assert.Equal("api", s.Source);
        }
        Assert.Null(stored[2].ClientEventId);

        if (provider == DatabaseProvider.Sqlite) await AssertStoredAsMicrosoftDataSqliteWouldAsync(app, stored[0].SessionId);
    }

    private static async Task AssertStoredAsMicrosoftDataSqliteWouldAsync(DevInsightsFactory app, long sessionId)
    {
        await using var connection = (SqliteConnection)await app.Services.GetRequiredService<DatabaseConnections>().OpenAsync();
        await using var command = connection.CreateCommand();
        // Each stored value beside the same value bound by Microsoft.Data.Sqlite, compared by SQLite itself.
        command.CommandText = """
            SELECT timestamp = $whole OR timestamp = $fraction, typeof(timestamp), typeof(success), success, typeof(cost_usd), typeof(received_at)
            FROM events WHERE session_id = $session ORDER BY id
            """;
        command.Parameters.AddWithValue("$whole", Whole);
        command.Parameters.AddWithValue("$fraction", Fraction);
        command.Parameters.AddWithValue("$session", sessionId);
        var rows = new List<(long, string, string, object, string, string)>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetValue(3), reader.GetString(4), reader.GetString(5)));
        Assert.Equal(
        [
            (1L, "text", "null", DBNull.Value, "real", "text"),
            (1L, "text", "integer", 1L, "null", "text"),
            (0L, "text", "integer", 0L, "null", "text"),
        ], rows);
    }
}
