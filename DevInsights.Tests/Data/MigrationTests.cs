using DevInsights.Core.Configuration;
using DevInsights.Core.Data;
using DevInsights.Core.Data.Migrations;
using DevInsights.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DevInsights.Tests.Data;

public sealed class MigrationTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Fresh_database_is_migrated_and_matches_the_EF_model(DatabaseProvider provider)
    {
        await using var factory = await DevInsightsFactory.CreateAsync(provider);
        var migrator = factory.Services.GetRequiredService<SchemaMigrator>();
        Assert.Equal(migrator.Scripts[^1].Version, await migrator.CurrentVersionAsync());

        // Every entity and every mapped column can be read: the hand-written SQL matches the model.
        await using var db = await factory.DbAsync();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var columns = string.Join(", ", entity.GetProperties().Select(p => $"\"{p.GetColumnName()}\""));
#pragma warning disable EF1002 // identifiers come from the model, not from input
            var count = await db.Database.SqlQueryRaw<int>($"SELECT COUNT(*) AS \"Value\" FROM (SELECT {columns} FROM \"{table}\") t").SingleAsync();
#pragma warning restore EF1002
            // The initializer seeds the three roles; every other table starts empty.
            Assert.Equal(table == "AspNetRoles" ? 3 : 0, count);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Running_the_migrator_again_applies_nothing(DatabaseProvider provider)
    {
        await using var factory = await DevInsightsFactory.CreateAsync(provider);
        var migrator = factory.Services.GetRequiredService<SchemaMigrator>();
        Assert.Equal(0, await migrator.MigrateAsync());
    }
}
