using DevInsights.Core.Identity;
using Microsoft.AspNetCore.Identity;

namespace DevInsights.Web.Security;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // A form post (antiforgery-checked by the framework), so a link in another site cannot sign anyone out.
        app.MapPost("/account/logout", async (SignInManager<AppUser> signIn, UserManager<AppUser> users, AuditTrail audit, HttpContext http) =>
        {
            var user = await users.GetUserAsync(http.User);
            await signIn.SignOutAsync();
            if (user is not null) await audit.WriteAsync(AuditActors.From(http, user), AuditActions.Logout, user.Email);
            return TypedResults.LocalRedirect("~/account/login");
        }).RequireAuthorization().ExcludeFromDescription();
        return app;
    }
}
