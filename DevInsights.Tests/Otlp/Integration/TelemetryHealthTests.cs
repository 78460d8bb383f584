using System.Net;
using System.Net.Http.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Core.Otlp.Storage;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Ingestion;
using Microsoft.EntityFrameworkCore;
using static DevInsights.Tests.Otlp.Integration.OtlpIntegrationKit;
using static DevInsights.Tests.Otlp.Integration.OtlpRequests;

namespace DevInsights.Tests.Otlp.Integration;

/// <summary><c>GET /api/v1/telemetry/health</c>: last telemetry per machine and developer and signal, stale after 24 h;
/// developers see their own, team leads everyone's.</summary>
public sealed class TelemetryHealthTests(ProviderApps apps) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Senders_are_listed_per_signal_and_flagged_stale_after_a_day_of_silence(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        var (client, userId, _) = await app.CreateUserClientAsync();
        var (other, otherId, _) = await app.CreateUserClientAsync();
        var (lead, _, _) = await app.CreateUserClientAsync(Roles.TeamLead);
        var install = NewInstallId();
        var machine = "claude-install:" + install;
        var before = DateTime.UtcNow.AddSeconds(-1);

        await client.PostRequestsAsync(ClaudeLogs(NewSessionId(), (InstallId, install)), ClaudeMetrics(NewSessionId(), (InstallId, install)));
        // Scenario c's traces come from the fixture's own install id: another machine of the same developer.
        await client.PostScenarioAsync(OtlpFixtureFiles.Requests(OtlpFixtureFiles.Claude, "c-tool-use-protobuf-traces", "traces"));
        await other.PostRequestsAsync(ClaudeLogs(NewSessionId(), (InstallId, NewInstallId())));

        var own = await ReadAsync(client);
        var mine = Assert.Single(own.Developers);
        Assert.Equal((userId, false), (mine.Id, mine.Stale));
        Assert.Equal(["logs", "metrics", "traces"], mine.Signals.Keys.Order());
        Assert.All(mine.Signals.Values, t => Assert.InRange(t, before, DateTime.UtcNow.AddSeconds(1)));
        Assert.Equal([machine, "claude-install:8af34f59ce10ee89c0df1cdff1eb2bd161472af497974decad4159a3760872e4"],
            own.Machines.Select(m => m.Id).OrderBy(id => id == machine ? 0 : 1));
        Assert.Equal(["logs", "metrics"], own.Machines.Single(m => m.Id == machine).Signals.Keys.Order());

        var everyone = await ReadAsync(lead);
        Assert.Contains(everyone.Developers, d => d.Id == userId);
        Assert.Contains(everyone.Developers, d => d.Id == otherId);
        Assert.DoesNotContain((await ReadAsync(other)).Machines, m => m.Id == machine);

        // A day and a bit of silence.
        await using (var db = await app.DbAsync())
            await db.Set<TelemetrySource>().Where(s => s.DeveloperId == userId)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, s => s.LastSeenAt.AddHours(-25)));
        var stale = await ReadAsync(client);
        Assert.True(stale.Developers.Single().Stale);
        Assert.All(stale.Machines, m => Assert.True(m.Stale));
    }

    [Theory, BothProviders]
    public async Task The_report_needs_a_caller(DatabaseProvider provider)
    {
        var app = await apps.GetAsync(provider);
        using var anonymous = app.CreateClient();
        await (await anonymous.GetAsync("/api/v1/telemetry/health")).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    private static async Task<TelemetryHealthReport> ReadAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/v1/telemetry/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TelemetryHealthReport>())!;
    }
}
