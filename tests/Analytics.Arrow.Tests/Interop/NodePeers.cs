using Analytics.Tests.Shared;

namespace Analytics.Arrow.Tests.Interop;

/// <summary>The arrow-js peer (<c>Interop/peer</c>, apache-arrow 21.2.0), run as <c>node arrow_peer.js …</c>.</summary>
public sealed class ArrowJsPeer() : NodePeer(ArrowPeers.Folder + "peer", ["apache-arrow"], "arrow_peer.js", ["ci", "--no-audit", "--no-fund"], ArrowPeers.RunTimeout, ArrowPeers.Suite);

/// <summary>
/// The nodejs-polars peer (<c>Interop/polars-peer</c>, 0.26.1; Rust Arrow underneath), run as <c>node polars_read.js FILE</c>.
/// Installed with <c>npm install --no-save</c> from its pinned lock file rather than <c>npm ci</c>: nodejs-polars
/// lists a native package per platform as optional dependencies, the package copy here serves only the x64 ones, and
/// <c>npm ci</c> refuses a lock file without the others, while <c>npm install</c> keeps to the lock's versions and
/// skips optional packages it cannot fetch.
/// </summary>
public sealed class PolarsPeer() : NodePeer(ArrowPeers.Folder + "polars-peer", ["nodejs-polars"], "polars_read.js", ["install", "--no-audit", "--no-fund", "--no-save"], ArrowPeers.RunTimeout, ArrowPeers.Suite);

/// <summary>Where the Arrow interop peers live and how long one of their runs may take.</summary>
internal static class ArrowPeers
{
    public const string Folder = "tests/Analytics.Arrow.Tests/Interop/";
    public const string Suite = "Arrow interop tests";
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);
}
