using DevInsights.Core.Hierarchy;

namespace DevInsights.Tests.Hierarchy;

public sealed class RepositoryUrlTests
{
    [Theory]
    // GitHub: every transport spelling collapses to one key; path lowercased (github.com is case-insensitive).
    [InlineData("git@github.com:acme/acme-api.git", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("github.com:acme/acme-api", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("ssh://git@github.com/acme/acme-api.git", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("https://github.com/Acme/Acme-API.git/", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("https://user:token@github.com/acme/acme-api", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("https://ghp_secret@github.com/acme/acme-api.git", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("http://github.com/acme/acme-api", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("git://github.com/acme/acme-api.git", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("git+ssh://git@github.com/acme/acme-api.git", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("ssh+git://git@github.com/acme/acme-api.git", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("  https://GITHUB.COM/acme/acme-api//  ", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("https://github.com:443/acme/acme-api", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("https://github.com/acme/acme-api.GIT", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    [InlineData("https://github.com/acme/acme-api?tab=readme#top", "github.com", "acme", "acme-api", "https://github.com/acme/acme-api")]
    // GitLab: subgroups end up in Owner.
    [InlineData("ssh://git@gitlab.example.com:2222/group/sub/repo.git", "gitlab.example.com", "group/sub", "repo", "https://gitlab.example.com/group/sub/repo")]
    [InlineData("https://gitlab.com/group/subgroup/sub2/repo", "gitlab.com", "group/subgroup/sub2", "repo", "https://gitlab.com/group/subgroup/sub2/repo")]
    [InlineData("git@gitlab.com:Group/SubGroup/Repo.git", "gitlab.com", "group/subgroup", "repo", "https://gitlab.com/group/subgroup/repo")]
    // Bitbucket cloud and server (server's /scm/ prefix is kept as part of the owner).
    [InlineData("https://bitbucket.org/team/repo.git", "bitbucket.org", "team", "repo", "https://bitbucket.org/team/repo")]
    [InlineData("git@bitbucket.org:team/repo.git", "bitbucket.org", "team", "repo", "https://bitbucket.org/team/repo")]
    [InlineData("https://host/scm/proj/repo.git", "host", "scm/proj", "repo", "https://host/scm/proj/repo")]
    // Azure DevOps: https and v3 ssh forms agree; "_git" is in Normalized only.
    [InlineData("https://dev.azure.com/org/project/_git/repo", "dev.azure.com", "org/project", "repo", "https://dev.azure.com/org/project/_git/repo")]
    [InlineData("https://org@dev.azure.com/org/project/_git/repo", "dev.azure.com", "org/project", "repo", "https://dev.azure.com/org/project/_git/repo")]
    [InlineData("git@ssh.dev.azure.com:v3/org/project/repo", "dev.azure.com", "org/project", "repo", "https://dev.azure.com/org/project/_git/repo")]
    [InlineData("ssh://git@ssh.dev.azure.com/v3/org/project/repo", "dev.azure.com", "org/project", "repo", "https://dev.azure.com/org/project/_git/repo")]
    [InlineData("https://dev.azure.com/org/My%20Project/_git/repo", "dev.azure.com", "org/My%20Project", "repo", "https://dev.azure.com/org/My%20Project/_git/repo")]
    [InlineData("git@ssh.dev.azure.com:v3/org/My Project/repo", "dev.azure.com", "org/My%20Project", "repo", "https://dev.azure.com/org/My%20Project/_git/repo")]
    // Self-hosted: case kept, non-default web ports kept, ssh/git ports dropped.
    [InlineData("https://git.corp.local/team/repo", "git.corp.local", "team", "repo", "https://git.corp.local/team/repo")]
    [InlineData("https://Git.Corp.Local/Team/Repo.git", "git.corp.local", "Team", "Repo", "https://git.corp.local/Team/Repo")]
    [InlineData("https://git.corp.local:8443/team/repo.git", "git.corp.local:8443", "team", "repo", "https://git.corp.local:8443/team/repo")]
    [InlineData("http://git.corp.local:80/team/repo", "git.corp.local", "team", "repo", "https://git.corp.local/team/repo")]
    [InlineData("git://git.corp.local:9418/team/repo.git", "git.corp.local", "team", "repo", "https://git.corp.local/team/repo")]
    [InlineData("deploy@git.corp.local:team/repo.git", "git.corp.local", "team", "repo", "https://git.corp.local/team/repo")]
    public void TryParse_NormalizesKnownForms(string input, string host, string owner, string name, string normalized)
    {
        Assert.True(RepositoryUrl.TryParse(input, out var url));
        Assert.Equal(host, url.Host);
        Assert.Equal(owner, url.Owner);
        Assert.Equal(name, url.Name);
        Assert.Equal(normalized, url.Normalized);
        Assert.Equal(owner + "/" + name, url.FullName);
        Assert.Equal(url, RepositoryUrl.Parse(input));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("acme/acme-api")]
    [InlineData("github.com/acme/acme-api")]
    [InlineData("/home/dev/src/acme-api")]
    [InlineData("./acme-api")]
    [InlineData("../x:y/repo")]
    [InlineData("C:\\src\\acme-api")]
    [InlineData("C:/src/acme-api")]
    [InlineData("\\\\server\\share\\repo")]
    [InlineData("file:///home/dev/src/acme-api")]
    [InlineData("file://server/share/acme/repo")]
    [InlineData("ftp://example.com/acme/repo")]
    [InlineData("https://github.com")]
    [InlineData("https://github.com/")]
    [InlineData("https://github.com/acme")]
    [InlineData("https://github.com/acme/.git")]
    [InlineData("git@github.com:acme")]
    [InlineData("git@github.com:")]
    [InlineData("https://")]
    [InlineData("https:/github.com/acme/repo")]
    [InlineData("https://github.com/acme/../repo")]
    [InlineData("https://dev.azure.com/_git/repo")]
    [InlineData("https://dev.azure.com/org/project/_git/repo/pullrequest/1")]
    [InlineData("not a url at all")]
    public void TryParse_RejectsNonRemoteInput(string? input)
    {
        Assert.False(RepositoryUrl.TryParse(input, out var url));
        Assert.Null(url);
    }

    [Fact]
    public void Parse_Invalid_ThrowsArgumentExceptionWithoutLeakingCredentials()
    {
        var ex = Assert.Throws<ArgumentException>(() => RepositoryUrl.Parse("https://user:s3cret@github.com/acme"));

        Assert.Equal("input", ex.ParamName);
        Assert.Contains("not a remote git repository URL", ex.Message, StringComparison.Ordinal);
        Assert.Contains("https://***@github.com/acme", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => RepositoryUrl.Parse(null!));
    }

    [Fact]
    public void EquivalentRemotes_AreEqual()
    {
        var ssh = RepositoryUrl.Parse("git@github.com:Acme/Acme-API.git");
        var https = RepositoryUrl.Parse("https://token@github.com/acme/acme-api/");

        Assert.Equal(ssh, https);
        Assert.Equal(ssh.GetHashCode(), https.GetHashCode());
        Assert.Equal("https://github.com/acme/acme-api", ssh.ToString());
    }
}
