using DevInsights.Core.Data;
using DevInsights.Core.Sessions;
using DevInsights.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Web.Components.Pages.Shared;

public sealed record Option<T>(T Value, string Text);

/// <summary>The choices of the filter drop-downs.</summary>
public sealed record FilterChoices(
    IReadOnlyList<Option<long>> Projects,
    IReadOnlyList<Option<string>> Developers,
    IReadOnlyList<Option<string>> Models,
    IReadOnlyList<Option<string>> Clients);

/// <summary>Reads what the filters can offer: projects, models seen in the rollup, and (for leads) developers.</summary>
public sealed class FilterOptions(IDbContextFactory<DevInsightsDbContext> dbFactory)
{
    public async Task<FilterChoices> LoadAsync(CurrentUser user, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var projects = await db.Projects.AsNoTracking().OrderBy(p => p.Name)
            .Select(p => new Option<long>(p.Id, p.Name)).ToListAsync(ct);
        var models = await db.DailyUsage.AsNoTracking().Where(d => d.Model != "").Select(d => d.Model).Distinct()
            .OrderBy(m => m).ToListAsync(ct);
        // A developer filters only their own sessions, so other people's names are no choice of theirs.
        var developers = user.SeesEveryone
            ? (await db.Users.AsNoTracking().OrderBy(u => u.DisplayName ?? u.Email)
                .Select(u => new { u.Id, Name = u.DisplayName ?? u.Email ?? u.UserName }).ToListAsync(ct))
                .Select(u => new Option<string>(u.Id, u.Name ?? u.Id)).ToList()
            : [];
        return new FilterChoices(projects, developers, models.Select(m => new Option<string>(m, m)).ToList(),
            ClientKind.All.Select(c => new Option<string>(c, c)).ToList());
    }
}
