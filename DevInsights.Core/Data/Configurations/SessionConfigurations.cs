using DevInsights.Core.Hierarchy;
using DevInsights.Core.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DevInsights.Core.Data.Configurations;

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> b)
    {
        b.ToTable("sessions");
        b.Property(s => s.ClientSessionId).HasMaxLength(200);
        b.Property(s => s.DeveloperId).HasMaxLength(450);
        b.Property(s => s.Client).HasMaxLength(32);
        b.Property(s => s.Models).HasMaxLength(1000);
        b.HasIndex(s => s.ClientSessionId).IsUnique();
        b.HasIndex(s => new { s.ProjectId, s.StartedAt });
        b.HasIndex(s => new { s.WorkspaceId, s.StartedAt });
        b.HasIndex(s => new { s.DeveloperId, s.StartedAt });
        b.HasIndex(s => s.StartedAt);
        b.HasOne<Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AgentEventConfiguration : IEntityTypeConfiguration<AgentEvent>
{
    public void Configure(EntityTypeBuilder<AgentEvent> b)
    {
        b.ToTable("events");
        b.Property(e => e.Type).HasMaxLength(100);
        b.Property(e => e.ToolName).HasMaxLength(200);
        b.Property(e => e.Model).HasMaxLength(200);
        b.Property(e => e.Source).HasMaxLength(20);
        b.Property(e => e.ClientEventId).HasMaxLength(200);
        b.Property(e => e.CostSource).HasMaxLength(16);
        // The three access paths measured in PERFORMANCE.md, plus the idempotency key.
        b.HasIndex(e => new { e.SessionId, e.Timestamp });
        b.HasIndex(e => new { e.ProjectId, e.Timestamp });
        b.HasIndex(e => new { e.Type, e.Timestamp });
        b.HasIndex(e => new { e.SessionId, e.ClientEventId }).IsUnique().HasFilter("client_event_id IS NOT NULL");
        b.HasOne<Session>().WithMany().HasForeignKey(e => e.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ToolUsageConfiguration : IEntityTypeConfiguration<ToolUsage>
{
    public void Configure(EntityTypeBuilder<ToolUsage> b)
    {
        b.ToTable("tool_usages");
        b.HasKey(t => new { t.SessionId, t.ToolName });
        b.Property(t => t.ToolName).HasMaxLength(200);
        b.HasOne<Session>().WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> b)
    {
        b.ToTable("messages");
        b.Property(m => m.Role).HasMaxLength(32);
        b.HasIndex(m => new { m.SessionId, m.Sequence });
        b.HasOne<Session>().WithMany().HasForeignKey(m => m.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}
