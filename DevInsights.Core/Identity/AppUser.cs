using Microsoft.AspNetCore.Identity;

namespace DevInsights.Core.Identity;

public sealed class AppUser : IdentityUser
{
    public string? DisplayName { get; set; }
    public ShareLevel ShareLevel { get; set; } = ShareLevel.Metadata;
    public bool LeaderboardOptIn { get; set; }
    public bool MustChangePassword { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DisabledAt { get; set; }
}
