using System.Security.Cryptography;
using System.Text;

namespace DevInsights.Web.Security;

/// <summary>The one-time token of the first-run set-up link, printed to the console when no admin exists and
/// none is configured. Kept in memory only: a restart prints a new link, and the token dies once an admin exists.</summary>
public sealed class SetupToken
{
    private readonly byte[] _hash;

    public SetupToken()
    {
        Value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(Value));
    }

    public string Value { get; }
    public bool Active { get; set; }

    public bool Matches(string? presented) =>
        Active && presented is not null &&
        CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
