using DevInsights.Web.Components.Pages.Sessions;
using DevInsights.Web.Components.Pages.Shared;
using Radzen;

namespace DevInsights.Tests.Dashboard;

/// <summary>The URL is the dashboard's state: what each query-string value means, and what malformed ones fall back to.</summary>
public sealed class UrlStateTests
{
    private static readonly DateOnly Today = new(2026, 3, 15);

    [Theory]
    [InlineData("today", null, null, "2026-03-15", "2026-03-15", "today")]
    [InlineData("7d", null, null, "2026-03-09", "2026-03-15", "7d")]
    [InlineData("30d", null, null, "2026-02-14", "2026-03-15", "30d")]
    [InlineData("90D", null, null, "2025-12-16", "2026-03-15", "90d")]
    [InlineData(null, null, null, "2026-03-09", "2026-03-15", "7d")]
    [InlineData("custom", "2026-01-05", "2026-01-20", "2026-01-05", "2026-01-20", "custom")]
    [InlineData("custom", "2026-01-20", "2026-01-05", "2026-01-05", "2026-01-20", "custom")]
    [InlineData("custom", "2024-01-01", "2026-01-10", "2025-01-10", "2026-01-10", "custom")]
    [InlineData("custom", "yesterday", "2026-01-05", "2026-03-09", "2026-03-15", "7d")]
    [InlineData("14d", null, null, "2026-03-09", "2026-03-15", "7d")]
    public void Ranges_resolve_to_whole_utc_days(string? range, string? from, string? to, string first, string last, string key)
    {
        var resolved = TimeRange.Parse(range, from, to, Today);
        Assert.Equal((key, DateOnly.Parse(first), DateOnly.Parse(last)), (resolved.Key, resolved.From, resolved.To));
        Assert.Equal(resolved.From.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), resolved.Start);
        Assert.Equal(resolved.To.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), resolved.End);
        Assert.Equal(resolved.DayCount, resolved.Days.Count());
    }

    [Fact]
    public void A_range_writes_back_the_query_string_it_was_read_from()
    {
        var custom = TimeRange.Parse("custom", "2026-01-05", "2026-01-20", Today);
        Assert.Equal("range=custom&from=2026-01-05&to=2026-01-20", custom.QueryString);
        Assert.Equal(custom, TimeRange.Parse((string)custom.ToQuery()["range"]!, (string?)custom.ToQuery()["from"], (string?)custom.ToQuery()["to"], Today));
        var preset = TimeRange.Parse("30d", null, null, Today);
        Assert.Equal("range=30d", preset.QueryString);
        Assert.Null(preset.ToQuery()["from"]);
    }

    [Fact]
    public void Session_list_state_ignores_malformed_values()
    {
        var state = SessionListState.Parse(" dev-1 ", "12", "claude", "codex", "tokens", "asc", "3");
        Assert.Equal(new SessionListState("dev-1", 12, "claude", "codex", "tokens", "asc", 3), state);
        Assert.Equal(new SessionListState(null, null, null, null, "time", "desc", 1),
            SessionListState.Parse("", "twelve", " ", "vim", "name", "up", "-2"));
    }

    [Fact]
    public void Grid_clicks_become_sort_and_page_values_of_the_url()
    {
        var state = SessionListState.Parse(null, null, null, null, null, null, null);
        var page3 = state.FromGrid(50, 25, []);
        Assert.Equal(3, page3.Page);
        Assert.Equal(new Dictionary<string, object?> { ["sort"] = null, ["dir"] = null, ["page"] = 3 }, page3.SortAndPageQuery());

        var byCost = state.FromGrid(0, 25, [new SortDescriptor { Property = "CostUsd", SortOrder = SortOrder.Ascending }]);
        Assert.Equal(("cost", "asc", 1), (byCost.Sort, byCost.Dir, byCost.Page));
        Assert.Equal(SortOrder.Ascending, byCost.SortOrderOf("cost"));
        Assert.Null(byCost.SortOrderOf("time"));
        var byTokens = state.FromGrid(0, 25, [new SortDescriptor { Property = "Tokens.Total", SortOrder = SortOrder.Descending }]);
        Assert.Equal(new Dictionary<string, object?> { ["sort"] = "tokens", ["dir"] = null, ["page"] = null }, byTokens.SortAndPageQuery());

        var range = TimeRange.Parse("7d", null, null, Today);
        var query = byTokens.ToQuery(range, 2, 25);
        Assert.Equal((range.Start, range.End.AddTicks(-1), "tokens", "desc", 2, 25), (query.From!.Value, query.To!.Value, query.Sort, query.Dir, query.Page, query.PageSize));
    }

    [Fact]
    public void Usage_series_fold_the_smallest_into_other_and_fill_every_day()
    {
        var range = TimeRange.Parse("custom", "2026-03-01", "2026-03-03", Today);
        var cells = Enumerable.Range(0, 8).Select(i => new UsageCell(new DateOnly(2026, 3, 2), "claude-code", $"model-{i}",
            UsageTotals.Zero with { InputTokens = 100 * (i + 1), CostUsd = i })).ToList();
        var series = new UsageSummary(range, cells).SeriesBy(UsageDimension.Model);

        Assert.Equal(["model-7", "model-6", "model-5", "model-4", "model-3", "other"], series.Select(s => s.Name));
        Assert.All(series, s => Assert.Equal(["Mar 1", "Mar 2", "Mar 3"], s.Tokens.Select(p => p.Day)));
        Assert.Equal(100 + 200 + 300, series[^1].Tokens[1].Value);
        Assert.Equal(0, series[0].Tokens[0].Value);
    }

    [Theory]
    [InlineData(0, "$0.00")]
    [InlineData(0.0042, "$0.0042")]
    [InlineData(1234.5, "$1,234.50")]
    public void Costs_read_the_same_everywhere(double usd, string text) => Assert.Equal(text, Format.Cost(usd));
}
