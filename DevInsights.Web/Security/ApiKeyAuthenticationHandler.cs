using System.Security.Claims;
using System.Text.Encodings.Web;
using DevInsights.Core.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DevInsights.Web.Security;

/// <summary>Authenticates collectors by the API key in <c>X-API-Key</c> or <c>Authorization: Bearer</c>.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyService keys)
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
        // Remembered for a few seconds by the service: collectors post every few seconds.
        var key = await keys.AuthenticateAsync(presented, Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("Invalid, revoked or disabled API key.");

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, key.UserId),
            new(ClaimTypes.Name, key.UserName ?? key.Email ?? key.UserId),
            new(KeyIdClaim, key.KeyId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (key.Email is not null) claims.Add(new Claim(ClaimTypes.Email, key.Email));
        claims.AddRange(key.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
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
