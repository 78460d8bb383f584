using DevInsights.Core.Data;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Sessions;

namespace DevInsights.Tests.Admin;

/// <summary>Sessions with events, tool usages and messages written straight through EF, for tests that
/// must not depend on the ingestion pipeline.</summary>
internal static class SessionSeed
{
    public static async Task<long> AddProjectAsync(DevInsightsDbContext db)
    {
        var key = "test:" + Guid.NewGuid().ToString("N");
        var project = new Project { Key = key, Name = key, FullName = key, CreatedAt = DateTime.UtcNow, LastActivityAt = DateTime.UtcNow };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        return project.Id;
    }

    public static async Task<long> AddSessionAsync(DevInsightsDbContext db, long projectId, string developerId, int events)
    {
        var start = DateTime.UtcNow.AddHours(-1);
        var session = new Session
        {
            ClientSessionId = Guid.NewGuid().ToString(),
            ProjectId = projectId,
            DeveloperId = developerId,
            Client = ClientKind.ClaudeCode,
            StartedAt = start,
            LastEventAt = start.AddMinutes(events),
            EventCount = events,
            CreatedAt = start,
            UpdatedAt = start,
        };
        db.Sessions.Add(session);
        await db.SaveChangesAsync();
        for (var i = 0; i < events; i++)
        {
            db.Events.Add(new AgentEvent
            {
                SessionId = session.Id,
                ProjectId = projectId,
                Timestamp = start.AddMinutes(i),
                Type = i == 0 ? "user_prompt" : "tool_result",
                ToolName = i == 0 ? null : "Bash",
                Source = "api",
                ClientEventId = $"e{i}",
                ReceivedAt = DateTime.UtcNow,
            });
        }
        db.ToolUsages.Add(new ToolUsage { SessionId = session.Id, ToolName = "Bash", Calls = events - 1, Successes = events - 1 });
        db.Messages.Add(new Message { SessionId = session.Id, Sequence = 0, Role = "user", Content = "fix the build" });
        await db.SaveChangesAsync();
        return session.Id;
    }
}
