using System.Globalization;
using System.Net;
using System.Text.Json;
using DevInsights.Core.Configuration;
using DevInsights.Core.Identity;
using DevInsights.Tests.Dashboard;
using DevInsights.Tests.Hierarchy;
using DevInsights.Tests.Infrastructure;
using DevInsights.Tests.Sessions;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Tests.Export;

public sealed class ExportApiTests(ProviderApps fixture) : IClassFixture<ProviderApps>
{
    [Theory, BothProviders]
    public async Task Csv_and_json_lines_hold_every_event_of_the_range_with_the_databases_values(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var team = await DashboardData.SeedTeamAsync(app, new DateOnly(2033, 4, 9), days: 4, seed: 21);
        var lead = await app.UserAsync(Roles.TeamLead);
        var from = new DateTime(2033, 4, 7, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2033, 4, 9, 0, 0, 0, DateTimeKind.Utc); // the plain date includes the whole 9th
        var expected = team.Events.Where(e => e.Timestamp >= from && e.Timestamp < to.AddDays(1)).OrderBy(e => e.Timestamp).ThenBy(e => e.Id).ToList();
        Assert.NotEmpty(expected);

        using var csv = await lead.Client.GetAsync("/api/v1/export/events?from=2033-04-07&to=2033-04-09&format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("events-20330407T0000-20330410T0000.csv", csv.Content.Headers.ContentDisposition?.ToString());
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        Assert.Equal("event_id", header[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(expected.Select(e => e.Id.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r[0]));
        int Col(string name) => Array.IndexOf(header, name);
        Assert.Equal(expected.Select(e => e.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)), rows.Select(r => r[Col("timestamp")]));
        Assert.Equal(expected.Sum(e => e.CostUsd ?? 0), rows.Sum(r => r[Col("cost_usd")].Length == 0 ? 0 : double.Parse(r[Col("cost_usd")], CultureInfo.InvariantCulture)), 9);
        Assert.Equal(expected.Select(e => e.Success switch { null => "", true => "true", false => "false" }), rows.Select(r => r[Col("success")]));

        using var jsonl = await lead.Client.GetAsync("/api/v1/export/events?from=2033-04-07T00:00:00Z&to=2033-04-10T00:00:00Z&format=jsonl");
        Assert.Equal("application/x-ndjson", jsonl.Content.Headers.ContentType?.MediaType);
        var objects = (await jsonl.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(expected.Select(e => e.Id), objects.Select(o => o.GetProperty("event_id").GetInt64()));
        Assert.Equal(expected.Select(e => e.InputTokens), objects.Select(o => o.GetProperty("input_tokens").GetInt64()));
        Assert.Equal(expected.Select(e => e.ToolName), objects.Select(o => o.GetProperty("tool_name").ValueKind == JsonValueKind.Null ? null : o.GetProperty("tool_name").GetString()));
        Assert.All(objects, o => Assert.Equal(JsonValueKind.Number, o.GetProperty("cache_read_tokens").ValueKind));

        var sessions = await lead.Client.GetStringAsync("/api/v1/export/sessions?from=2033-04-06&to=2033-04-09&format=jsonl");
        var sessionIds = sessions.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("client_session_id").GetString());
        Assert.Equal(team.Sessions.OrderBy(s => s.StartedAt).ThenBy(s => s.Id).Select(s => s.ClientSessionId), sessionIds);
    }

    [Theory, BothProviders]
    public async Task Bad_requests_are_problem_details_naming_each_field_and_developers_are_refused(DatabaseProvider provider)
    {
        var app = await fixture.GetAsync(provider);
        var admin = await app.UserAsync(Roles.Admin);
        var problem = await admin.Client.GetJsonAsync("/api/v1/export/widgets?from=yesterday&format=xml", HttpStatusCode.BadRequest);
        foreach (var field in new[] { "dataset", "from", "to", "format" }) SessionTestData.AssertFieldError(problem, field);
        var order = await admin.Client.GetJsonAsync("/api/v1/export/events?from=2033-01-02&to=2033-01-01", HttpStatusCode.BadRequest);
        SessionTestData.AssertFieldError(order, "to");
        var parquet = await admin.Client.GetJsonAsync("/api/v1/export/events?from=2033-01-01&to=2033-01-02&format=parquet", HttpStatusCode.BadRequest);
        Assert.Contains("admin export", parquet.GetProperty("errors").GetProperty("format")[0].GetString());

        var developer = await app.UserAsync(Roles.Developer);
        var forbidden = await developer.Client.GetJsonAsync("/api/v1/export/events?from=2033-01-01&to=2033-01-02", HttpStatusCode.Forbidden);
        Assert.Equal(403, forbidden.GetProperty("status").GetInt32());

        // An empty range is a header and nothing else.
        var empty = await admin.Client.GetStringAsync("/api/v1/export/daily-stats?from=1999-01-01&to=1999-01-02");
        Assert.StartsWith("day,project_id,machine_id,workspace_id,developer_id,client,model,events,", empty);
        Assert.Single(empty.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
    }
}
