namespace DevInsights.Web.Security;

/// <summary>The answer to a signed-in user whose role does not allow a page: 403 with the access-denied page, at the
/// address they asked for (no redirect, so the status is the truth and a reload asks again).</summary>
public static class AccessDeniedResponse
{
    public const string Path = "/account/access-denied";

    /// <summary>Renders the access-denied page (a Razor component endpoint) into this response.</summary>
    public static Task WriteAsync(HttpContext http)
    {
        var endpoint = http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .First(e => e.RoutePattern.RawText == Path && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Get) != false);
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        // A refused form post is answered with the page, not as a post to it (which would want its antiforgery token).
        http.Request.Method = HttpMethods.Get;
        http.Request.RouteValues.Clear();
        http.SetEndpoint(endpoint);
        return endpoint.RequestDelegate!(http);
    }
}
