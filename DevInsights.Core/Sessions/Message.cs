namespace DevInsights.Core.Sessions;

/// <summary>Conversation content; stored only for developers whose share level is "full".</summary>
public sealed class Message
{
    public long Id { get; set; }
    public long SessionId { get; set; }
    public int Sequence { get; set; }
    public required string Role { get; set; }
    public required string Content { get; set; }
    public DateTime? Timestamp { get; set; }
}
