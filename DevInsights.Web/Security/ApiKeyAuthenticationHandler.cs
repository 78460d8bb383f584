using System.Security.Claims;
using System.Text.Encodings.Web;
using DevInsights.Core.Data;
using DevInsights.Core.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Security;

/// <summary>Authenticates collectors by the API key in <c>X-API-Key</c> or <c>Authorization: Bearer</c>.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyService keys,
    IDbContextFactory<DevInsightsDbContext> dbFactory)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string KeyIdClaim = "devinsights:key_id";

    /// <summary>The key presented by the request, or null when it carries none.</summary>
    public static string? ReadKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-API-Key", out var apiKey) && !string.IsNullOrWhiteSpace(apiKey))
            return apiKey.ToString().Trim();
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = ReadKey(Request);
        if (presented is null) return AuthenticateResult.NoResult();
        var key = await keys.ValidateAsync(presented, Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("Invalid, revoked or disabled API key.");

        await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == key.UserId)
            .Select(u => new { u.Id, u.Email, u.UserName }).FirstAsync(Context.RequestAborted);
        var roles = await db.UserRoles.Where(ur => ur.UserId == key.UserId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToListAsync(Context.RequestAborted);

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id),
            new(ClaimTypes.Name, user.UserName ?? user.Email ?? user.Id),
            new(KeyIdClaim, key.KeyId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (user.Email is not null) claims.Add(new Claim(ClaimTypes.Email, user.Email));
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"DevInsights\", ApiKey header=\"X-API-Key\"";
        var detail = ReadKey(Request) is null
            ? "Send your API key in the X-API-Key header or as Authorization: Bearer <key>."
            : "The API key is invalid or has been revoked.";
        await Results.Problem(statusCode: 401, title: "Unauthorized", detail: detail).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        await Results.Problem(statusCode: 403, title: "Forbidden", detail: "Your role does not allow this operation.").ExecuteAsync(Context);
    }
}
