using System.Reflection;
using DevInsights.Core.Configuration;
using Xunit.Sdk;

namespace DevInsights.Tests.Hierarchy;

/// <summary>Runs a theory once on SQLite and once on PostgreSQL: <c>[Theory, BothProviders]</c>.</summary>
public sealed class BothProvidersAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) =>
        [[DatabaseProvider.Sqlite], [DatabaseProvider.Postgres]];
}
