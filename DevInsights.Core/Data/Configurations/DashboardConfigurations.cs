using DevInsights.Core.Dashboard;
using DevInsights.Core.Hierarchy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DevInsights.Core.Data.Configurations;

internal sealed class DailyUsageConfiguration : IEntityTypeConfiguration<DailyUsage>
{
    public void Configure(EntityTypeBuilder<DailyUsage> b)
    {
        b.ToTable("daily_usage");
        // The rollup's identity, and the conflict target of the ingestion writer's upsert.
        b.HasKey(d => new { d.Day, d.ProjectId, d.DeveloperId, d.Client, d.Model });
        b.Property(d => d.DeveloperId).HasMaxLength(450);
        b.Property(d => d.Client).HasMaxLength(32);
        b.Property(d => d.Model).HasMaxLength(200);
        b.HasIndex(d => new { d.ProjectId, d.Day });
        b.HasOne<Project>().WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
