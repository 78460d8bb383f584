using DevInsights.Core.Hierarchy;
using DevInsights.Core.Identity;
using DevInsights.Core.Otlp.Storage;
using DevInsights.Core.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DevInsights.Core.Data.Configurations;

internal sealed class SessionMetricsConfiguration : IEntityTypeConfiguration<SessionMetrics>
{
    public void Configure(EntityTypeBuilder<SessionMetrics> b)
    {
        b.ToTable("session_metrics");
        b.HasKey(m => m.SessionId);
        b.Property(m => m.SessionId).ValueGeneratedNever();
        b.HasOne<Session>().WithOne().HasForeignKey<SessionMetrics>(m => m.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CodeEditDecisionCountConfiguration : IEntityTypeConfiguration<CodeEditDecisionCount>
{
    public void Configure(EntityTypeBuilder<CodeEditDecisionCount> b)
    {
        b.ToTable("code_edit_decisions");
        b.HasKey(d => new { d.SessionId, d.ToolName, d.Decision, d.Language });
        b.Property(d => d.ToolName).HasMaxLength(200);
        b.Property(d => d.Decision).HasMaxLength(50);
        b.Property(d => d.Language).HasMaxLength(100);
        b.HasOne<Session>().WithMany().HasForeignKey(d => d.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MetricPointConfiguration : IEntityTypeConfiguration<MetricPoint>
{
    public void Configure(EntityTypeBuilder<MetricPoint> b)
    {
        b.ToTable("metric_points");
        b.HasKey(p => p.PointId);
        b.Property(p => p.PointId).HasMaxLength(32);
        b.Property(p => p.SeriesKey).HasMaxLength(32);
        b.Property(p => p.DeveloperId).HasMaxLength(450);
        b.Property(p => p.Client).HasMaxLength(32);
        b.Property(p => p.ServiceName).HasMaxLength(200);
        b.Property(p => p.ScopeName).HasMaxLength(200);
        b.Property(p => p.Name).HasMaxLength(200);
        b.Property(p => p.Unit).HasMaxLength(50);
        b.Property(p => p.Kind).HasConversion<string>().HasMaxLength(32);
        b.Property(p => p.Temporality).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(p => new { p.Name, p.Time });
        b.HasIndex(p => new { p.SeriesKey, p.Time });
        b.HasIndex(p => p.SessionId);
        b.HasIndex(p => p.MachineId);
        b.HasOne<Session>().WithMany().HasForeignKey(p => p.SessionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Machine>().WithMany().HasForeignKey(p => p.MachineId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class TelemetryIdentityConfiguration : IEntityTypeConfiguration<TelemetryIdentity>
{
    public void Configure(EntityTypeBuilder<TelemetryIdentity> b)
    {
        b.ToTable("telemetry_identities");
        b.Property(i => i.Kind).HasMaxLength(16);
        b.Property(i => i.Value).HasMaxLength(320);
        b.Property(i => i.Client).HasMaxLength(32);
        b.HasIndex(i => new { i.Kind, i.Value }).IsUnique();
        b.HasIndex(i => i.UserId);
        b.HasOne<AppUser>().WithMany().HasForeignKey(i => i.UserId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class TelemetrySourceConfiguration : IEntityTypeConfiguration<TelemetrySource>
{
    public void Configure(EntityTypeBuilder<TelemetrySource> b)
    {
        b.ToTable("telemetry_sources");
        b.Property(s => s.SourceKey).HasMaxLength(500);
        b.Property(s => s.Signal).HasMaxLength(16);
        b.Property(s => s.Client).HasMaxLength(32);
        b.HasIndex(s => s.SourceKey).IsUnique();
        b.HasIndex(s => s.MachineId);
        b.HasIndex(s => s.DeveloperId);
        b.HasOne<Machine>().WithMany().HasForeignKey(s => s.MachineId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AppUser>().WithMany().HasForeignKey(s => s.DeveloperId).OnDelete(DeleteBehavior.Cascade);
    }
}
