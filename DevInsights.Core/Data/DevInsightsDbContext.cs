using DevInsights.Core.Dashboard;
using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using DevInsights.Core.Sessions;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace DevInsights.Core.Data;

/// <summary>The one database of DevInsights: hierarchy, sessions, events, identity and audit.</summary>
/// <remarks>The schema is created and upgraded by <see cref="Migrations.SchemaMigrator"/> from hand-written,
/// versioned SQL scripts per provider (no <c>dotnet ef</c> here); this model must match them, which a test
/// checks against a freshly migrated database of each provider.</remarks>
public class DevInsightsDbContext(DbContextOptions<DevInsightsDbContext> options)
    : IdentityDbContext<AppUser>(options)
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Machine> Machines => Set<Machine>();
    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<AgentEvent> Events => Set<AgentEvent>();
    public DbSet<ToolUsage> ToolUsages => Set<ToolUsage>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditLog> AuditLogs => Set<AuditLog>();
    public DbSet<DailyUsage> DailyUsage => Set<DailyUsage>();
    public DbSet<Rollups.UsageBucket> UsageRollups => Set<Rollups.UsageBucket>();
    public DbSet<Rollups.ToolBucket> ToolRollups => Set<Rollups.ToolBucket>();
    public DbSet<Rollups.RollupState> RollupStates => Set<Rollups.RollupState>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(DevInsightsDbContext).Assembly);
        SnakeCaseColumns.Apply(builder);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC; SQLite hands them back unspecified, PostgreSQL insists on UTC for timestamptz.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}
