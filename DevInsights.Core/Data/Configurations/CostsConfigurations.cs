using DevInsights.Core.Hierarchy;
using DevInsights.Core.Jobs;
using DevInsights.Core.Pricing;
using DevInsights.Core.Providers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DevInsights.Core.Data.Configurations;

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> b)
    {
        b.ToTable("job_runs");
        b.Property(r => r.JobName).HasMaxLength(100);
        b.Property(r => r.Trigger).HasMaxLength(16);
        b.Property(r => r.Status).HasMaxLength(16);
        b.Property(r => r.Summary).HasMaxLength(2000);
        b.Property(r => r.Error).HasMaxLength(4000);
        b.HasIndex(r => new { r.JobName, r.StartedAt });
    }
}

internal sealed class PriceConfiguration : IEntityTypeConfiguration<Price>
{
    public void Configure(EntityTypeBuilder<Price> b)
    {
        b.ToTable("prices");
        b.Property(p => p.Provider).HasMaxLength(32);
        b.Property(p => p.Model).HasMaxLength(200);
        b.Property(p => p.Source).HasMaxLength(32);
        b.Property(p => p.Note).HasMaxLength(500);
        b.Property(p => p.CreatedBy).HasMaxLength(256);
        b.HasIndex(p => new { p.Model, p.EffectiveFrom });
        b.HasIndex(p => new { p.Model, p.EffectiveFrom, p.Source }).IsUnique().HasFilter("source = 'default'");
    }
}

internal sealed class ModelAliasConfiguration : IEntityTypeConfiguration<ModelAlias>
{
    public void Configure(EntityTypeBuilder<ModelAlias> b)
    {
        b.ToTable("model_aliases");
        b.HasKey(a => a.Alias);
        b.Property(a => a.Alias).HasMaxLength(200);
        b.Property(a => a.Model).HasMaxLength(200);
    }
}

internal sealed class DailyCostConfiguration : IEntityTypeConfiguration<DailyCost>
{
    public void Configure(EntityTypeBuilder<DailyCost> b)
    {
        b.ToTable("daily_costs");
        b.HasKey(d => new { d.Day, d.ProjectId, d.DeveloperId, d.Client, d.Model });
        b.Property(d => d.DeveloperId).HasMaxLength(450);
        b.Property(d => d.Client).HasMaxLength(32);
        b.Property(d => d.Model).HasMaxLength(200);
        b.HasIndex(d => new { d.ProjectId, d.Day });
        b.HasOne<Project>().WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ProviderUsageConfiguration : IEntityTypeConfiguration<ProviderUsage>
{
    public void Configure(EntityTypeBuilder<ProviderUsage> b)
    {
        b.ToTable("provider_usage");
        b.Property(u => u.Provider).HasMaxLength(32);
        b.Property(u => u.GroupKey).HasMaxLength(800);
        b.Property(u => u.ProjectRef).HasMaxLength(200);
        b.Property(u => u.ApiKeyRef).HasMaxLength(200);
        b.Property(u => u.UserRef).HasMaxLength(300);
        b.Property(u => u.Model).HasMaxLength(200);
        b.HasIndex(u => new { u.Provider, u.BucketStart, u.GroupKey }).IsUnique();
    }
}

internal sealed class ProviderCostConfiguration : IEntityTypeConfiguration<ProviderCost>
{
    public void Configure(EntityTypeBuilder<ProviderCost> b)
    {
        b.ToTable("provider_costs");
        b.Property(c => c.Provider).HasMaxLength(32);
        b.Property(c => c.GroupKey).HasMaxLength(800);
        b.Property(c => c.ProjectRef).HasMaxLength(200);
        b.Property(c => c.ApiKeyRef).HasMaxLength(200);
        b.Property(c => c.LineItem).HasMaxLength(300);
        b.Property(c => c.Model).HasMaxLength(200);
        b.HasIndex(c => new { c.Provider, c.BucketStart, c.GroupKey }).IsUnique();
    }
}

internal sealed class ClaudeCodeUsageConfiguration : IEntityTypeConfiguration<ClaudeCodeUsage>
{
    public void Configure(EntityTypeBuilder<ClaudeCodeUsage> b)
    {
        b.ToTable("claude_code_usage");
        b.Property(u => u.ActorType).HasMaxLength(32);
        b.Property(u => u.Actor).HasMaxLength(300);
        b.HasIndex(u => new { u.Day, u.ActorType, u.Actor }).IsUnique();
    }
}

internal sealed class ProviderSyncStateConfiguration : IEntityTypeConfiguration<ProviderSyncState>
{
    public void Configure(EntityTypeBuilder<ProviderSyncState> b)
    {
        b.ToTable("provider_sync_state");
        b.HasKey(s => s.Stream);
        b.Property(s => s.Stream).HasMaxLength(100);
    }
}

internal sealed class ProviderMappingConfiguration : IEntityTypeConfiguration<ProviderMapping>
{
    public void Configure(EntityTypeBuilder<ProviderMapping> b)
    {
        b.ToTable("provider_mappings");
        b.Property(m => m.Provider).HasMaxLength(32);
        b.Property(m => m.Kind).HasMaxLength(16);
        b.Property(m => m.ExternalId).HasMaxLength(300);
        b.Property(m => m.DeveloperId).HasMaxLength(450);
        b.Property(m => m.Label).HasMaxLength(200);
        b.HasIndex(m => new { m.Provider, m.Kind, m.ExternalId }).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.SetNull);
    }
}
