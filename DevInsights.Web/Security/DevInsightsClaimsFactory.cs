using System.Security.Claims;
using DevInsights.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Security;

/// <summary>Adds the claims pages need without a database round trip on every render.</summary>
public sealed class DevInsightsClaimsFactory(
    UserManager<AppUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, IdentityRole>(users, roles, options)
{
    public const string MustChangePasswordClaim = "devinsights:must_change_password";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.MustChangePassword) identity.AddClaim(new Claim(MustChangePasswordClaim, "true"));
        if (user.DisplayName is not null) identity.AddClaim(new Claim("name", user.DisplayName));
        return identity;
    }
}
