using DevInsights.Core.Hierarchy;
using DevInsights.Core.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DevInsights.Core.Data.Configurations;

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> b)
    {
        b.ToTable("projects");
        b.Property(p => p.Key).HasMaxLength(600);
        b.Property(p => p.RepositoryUrl).HasMaxLength(500);
        b.Property(p => p.Host).HasMaxLength(200);
        b.Property(p => p.Owner).HasMaxLength(200);
        b.Property(p => p.Name).HasMaxLength(200);
        b.Property(p => p.FullName).HasMaxLength(400);
        b.HasIndex(p => p.Key).IsUnique();
    }
}

internal sealed class MachineConfiguration : IEntityTypeConfiguration<Machine>
{
    public void Configure(EntityTypeBuilder<Machine> b)
    {
        b.ToTable("machines");
        b.Property(m => m.ClientMachineId).HasMaxLength(200);
        b.Property(m => m.Hostname).HasMaxLength(255);
        b.Property(m => m.Os).HasMaxLength(100);
        b.Property(m => m.OsVersion).HasMaxLength(100);
        b.Property(m => m.Arch).HasMaxLength(50);
        b.Property(m => m.Ip).HasMaxLength(64);
        b.HasIndex(m => m.ClientMachineId).IsUnique();
    }
}

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> b)
    {
        b.ToTable("workspaces");
        b.Property(w => w.ClientWorkspaceId).HasMaxLength(200);
        b.Property(w => w.Path).HasMaxLength(1000);
        b.Property(w => w.Branch).HasMaxLength(255);
        b.Property(w => w.Commit).HasMaxLength(64);
        b.HasIndex(w => w.ClientWorkspaceId).IsUnique();
        b.HasIndex(w => new { w.ProjectId, w.MachineId });
        b.HasIndex(w => w.MachineId);
        b.HasOne(w => w.Project).WithMany().HasForeignKey(w => w.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(w => w.Machine).WithMany().HasForeignKey(w => w.MachineId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The hierarchy's own index on sessions (migration 0003), kept beside the hierarchy's configuration so
/// the sessions configuration stays the sessions feature's.</summary>
internal sealed class SessionHierarchyIndexConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> b) =>
        b.HasIndex(s => new { s.ProjectId, s.WorkspaceId, s.StartedAt, s.Id }).IsDescending(false, false, true, true);
}
