using System.Security.Cryptography;
using System.Text;

namespace Analytics.Flight.Server;

/// <summary>Token comparison in constant time (no early exit that would leak how much of a guess was right).</summary>
internal static class TokenCheck
{
    public static bool Matches(string expected, ReadOnlySpan<char> presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented.ToArray()));
}
