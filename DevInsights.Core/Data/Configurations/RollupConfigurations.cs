using DevInsights.Core.Hierarchy;
using DevInsights.Core.Rollups;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DevInsights.Core.Data.Configurations;

internal sealed class UsageBucketConfiguration : IEntityTypeConfiguration<UsageBucket>
{
    public void Configure(EntityTypeBuilder<UsageBucket> b)
    {
        b.ToTable("usage_rollups");
        b.HasKey(u => new { u.Grain, u.Bucket, u.ProjectId, u.MachineId, u.WorkspaceId, u.DeveloperId, u.Client, u.Model });
        b.Property(u => u.Grain).HasMaxLength(8);
        b.Property(u => u.DeveloperId).HasMaxLength(450);
        b.Property(u => u.Client).HasMaxLength(32);
        b.Property(u => u.Model).HasMaxLength(200);
        b.HasIndex(u => new { u.ProjectId, u.Grain, u.Bucket });
        b.HasOne<Project>().WithMany().HasForeignKey(u => u.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ToolBucketConfiguration : IEntityTypeConfiguration<ToolBucket>
{
    public void Configure(EntityTypeBuilder<ToolBucket> b)
    {
        b.ToTable("tool_rollups");
        b.HasKey(t => new { t.Grain, t.Bucket, t.ProjectId, t.MachineId, t.WorkspaceId, t.DeveloperId, t.Client, t.ToolName });
        b.Property(t => t.Grain).HasMaxLength(8);
        b.Property(t => t.DeveloperId).HasMaxLength(450);
        b.Property(t => t.Client).HasMaxLength(32);
        b.Property(t => t.ToolName).HasMaxLength(200);
        b.HasIndex(t => new { t.ProjectId, t.Grain, t.Bucket });
        b.HasOne<Project>().WithMany().HasForeignKey(t => t.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RollupStateConfiguration : IEntityTypeConfiguration<RollupState>
{
    public void Configure(EntityTypeBuilder<RollupState> b)
    {
        b.ToTable("rollup_state");
        b.HasKey(s => s.Name);
        b.Property(s => s.Name).HasMaxLength(64);
    }
}

internal sealed class RollupInvalidationConfiguration : IEntityTypeConfiguration<RollupInvalidation>
{
    public void Configure(EntityTypeBuilder<RollupInvalidation> b)
    {
        b.ToTable("rollup_invalidations");
        b.HasOne<Project>().WithMany().HasForeignKey(i => i.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
