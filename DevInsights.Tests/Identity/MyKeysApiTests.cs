using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Tests.Identity;

/// <summary>/api/v1/me/keys: a user's own keys, issued, listed and revoked by themselves.</summary>
public sealed class MyKeysApiTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task A_developer_issues_a_key_that_works_lists_it_and_revoking_it_refuses_the_next_request(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var user = await app.UserAsync(Roles.Developer);

        JsonElement issued;
        using (var post = await user.Client.PostAsJsonAsync("/api/v1/me/keys", new { name = "  build agent  " }))
        {
            issued = await post.ReadJsonAsync(HttpStatusCode.Created);
            Assert.Equal($"/api/v1/me/keys/{issued.GetProperty("id").GetInt64()}", post.Headers.Location?.OriginalString);
        }
        var secret = issued.GetProperty("key").GetString()!;
        Assert.StartsWith(ApiKeyService.KeyPrefix, secret);
        Assert.Equal((secret[..12], "build agent"), (issued.GetProperty("prefix").GetString(), issued.GetProperty("name").GetString()));

        // The new key authenticates as the user (and is now remembered by the 30-second key cache).
        using var withNewKey = app.CreateClient();
        withNewKey.DefaultRequestHeaders.Add("X-API-Key", secret);
        Assert.Equal(user.Id, (await withNewKey.GetJsonAsync("/api/v1/me")).GetProperty("id").GetString());

        // Listed newest first with prefix, name and times, never the secret; the account's first key is there too.
        var listing = await user.Client.GetStringAsync("/api/v1/me/keys");
        Assert.DoesNotContain(secret, listing);
        var keys = JsonDocument.Parse(listing).RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(2, keys.Count);
        Assert.Equal(("build agent", secret[..12], JsonValueKind.Null), (keys[0].GetProperty("name").GetString(), keys[0].GetProperty("prefix").GetString(),
            keys[0].GetProperty("revokedAt").ValueKind));
        Assert.Equal(JsonValueKind.String, keys[0].GetProperty("lastUsedAt").ValueKind);

        using (var revoke = await user.Client.DeleteAsync($"/api/v1/me/keys/{issued.GetProperty("id").GetInt64()}"))
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        // Refused at once, not when the cached authentication expires.
        await withNewKey.GetJsonAsync("/api/v1/me", HttpStatusCode.Unauthorized);
        using (var again = await user.Client.DeleteAsync($"/api/v1/me/keys/{issued.GetProperty("id").GetInt64()}"))
            Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        var after = (await user.Client.GetJsonAsync("/api/v1/me/keys")).GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.String, after[0].GetProperty("revokedAt").ValueKind);

        // Issued and revoked once each in the audit log, by the user themself.
        await using var db = await app.DbAsync();
        var audit = await db.AuditLogs.AsNoTracking().Where(a => a.ActorId == user.Id).OrderBy(a => a.Id).Select(a => new { a.Action, a.DetailsJson }).ToListAsync();
        Assert.Equal([AuditActions.ApiKeyCreated, AuditActions.ApiKeyRevoked], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Contains($"\"keyPrefix\":\"{secret[..12]}\"", a.DetailsJson));
    }

    [Theory, BothProviders]
    public async Task Another_users_key_is_not_found_and_keeps_working(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var owner = await app.UserAsync(Roles.Developer);
        var admin = await app.UserAsync(Roles.Admin);
        var ownersKey = (await owner.Client.GetJsonAsync("/api/v1/me/keys")).GetProperty("keys")[0].GetProperty("id").GetInt64();

        // Not even an administrator revokes someone else's key here (the admin pages do that, audited as such).
        foreach (var other in new[] { admin.Client, (await app.UserAsync(Roles.Developer)).Client })
            using (var response = await other.DeleteAsync($"/api/v1/me/keys/{ownersKey}"))
                await response.ReadJsonAsync(HttpStatusCode.NotFound);
        using (var unknown = await owner.Client.DeleteAsync($"/api/v1/me/keys/{long.MaxValue}"))
            await unknown.ReadJsonAsync(HttpStatusCode.NotFound);
        await owner.Client.GetJsonAsync("/api/v1/me");
    }

    [Theory, BothProviders]
    public async Task Names_are_validated_an_empty_body_gets_the_default_name_and_active_keys_are_bounded(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var user = await app.UserAsync(Roles.Developer);

        using (var tooLong = await user.Client.PostAsJsonAsync("/api/v1/me/keys", new { name = new string('k', PersonalKeys.MaxNameLength + 1) }))
            SessionTestData.AssertFieldError(await tooLong.ReadJsonAsync(HttpStatusCode.BadRequest), "name");
        using (var wrongType = await user.Client.PostAsync("/api/v1/me/keys", new StringContent("""{"name": 5}""", System.Text.Encoding.UTF8, "application/json")))
            SessionTestData.AssertFieldError(await wrongType.ReadJsonAsync(HttpStatusCode.BadRequest), "name");
        using (var text = await user.Client.PostAsync("/api/v1/me/keys", new StringContent("name=x")))
            await text.ReadJsonAsync(HttpStatusCode.UnsupportedMediaType);

        // The account came with one key; fill up to the limit with body-less posts.
        for (var i = 1; i < PersonalKeys.MaxActiveKeys; i++)
            using (var post = await user.Client.PostAsync("/api/v1/me/keys", null))
                Assert.Equal(PersonalKeys.DefaultName, (await post.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("name").GetString());
        using (var tooMany = await user.Client.PostAsync("/api/v1/me/keys", null))
            await tooMany.ReadJsonAsync(HttpStatusCode.Conflict);
    }
}
