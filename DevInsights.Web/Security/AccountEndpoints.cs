using DevInsights.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace DevInsights.Web.Security;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // A form post, so a page of another site cannot sign anyone out: binding a [FromForm] value is what makes
        // minimal APIs demand the antiforgery token. returnUrl (optional, local paths only) comes back to the
        // sign-in form: "sign out and sign in as someone else".
        app.MapPost("/account/logout", async ([FromForm] string? returnUrl, SignInManager<AppUser> signIn, UserManager<AppUser> users,
            AuditTrail audit, HttpContext http) =>
        {
            var user = await users.GetUserAsync(http.User);
            await signIn.SignOutAsync();
            if (user is not null) await audit.WriteAsync(AuditActors.From(http, user), AuditActions.Logout, user.Email);
            return TypedResults.LocalRedirect(IsLocal(returnUrl) ? "~/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl!) : "~/account/login");
        }).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    /// <summary>A path of this site: an open redirect would let a crafted form send users elsewhere.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
