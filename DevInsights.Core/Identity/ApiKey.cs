namespace DevInsights.Core.Identity;

/// <summary>A collector credential. Only a SHA-256 hash of the secret is stored; the prefix identifies it in lists.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required string Hash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
