namespace DevInsights.Core.Identity;

/// <summary>Who did what, when: logins, key changes, deletions, setting changes.</summary>
public sealed class AuditLog
{
    public long Id { get; set; }
    public DateTime Timestamp { get; set; }
    public string? ActorId { get; set; }
    public string? ActorName { get; set; }
    public required string Action { get; set; }
    public string? Target { get; set; }
    public string? DetailsJson { get; set; }
    public string? Ip { get; set; }
}
