using System.Text;
using DevInsights.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Data;

/// <summary>snake_case column names for our own tables, so the raw SQL of the ingestion path and of
/// PostgreSQL users needs no quoting. Identity's AspNet* tables keep the framework's names.</summary>
internal static class SnakeCaseColumns
{
    public static void Apply(ModelBuilder builder)
    {
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            if (IsIdentityTable(entity.ClrType)) continue;
            foreach (var property in entity.GetProperties())
                property.SetColumnName(ToSnakeCase(property.Name));
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName($"ix_{entity.GetTableName()}_{string.Join("_", index.Properties.Select(p => ToSnakeCase(p.Name)))}");
            foreach (var key in entity.GetKeys().Where(k => k.IsPrimaryKey()))
                key.SetName($"pk_{entity.GetTableName()}");
            foreach (var fk in entity.GetForeignKeys())
                fk.SetConstraintName($"fk_{entity.GetTableName()}_{fk.PrincipalEntityType.GetTableName()}_{string.Join("_", fk.Properties.Select(p => ToSnakeCase(p.Name)))}");
        }
    }

    private static bool IsIdentityTable(Type type) =>
        type == typeof(AppUser) || (type.IsGenericType && type.Namespace == typeof(IdentityRole).Namespace)
        || type.Namespace == typeof(IdentityRole).Namespace;

    internal static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
