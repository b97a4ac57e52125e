using System.Globalization;
using System.Text.Json;
using Analytics.Tests.Shared;

namespace Analytics.Flight.Tests;

/// <summary>
/// The grpc-js + apache-arrow Flight client in <c>peer/</c> (pinned by its lock file, installed with <c>npm ci</c>
/// when its node_modules are missing), run as <c>node flight_peer.js COMMAND PORT TOKEN ARG…</c>.
/// </summary>
public sealed class NodeFlightPeer() : NodePeer("tests/Analytics.Flight.Tests/peer", ["@grpc/grpc-js", "apache-arrow"], "flight_peer.js",
    ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(3), "Flight peer tests")
{
    /// <summary>Runs a peer command against the server and parses the JSON it prints.</summary>
    public JsonElement Call(string command, int port, string? token, params string[] arguments)
    {
        string output = Node([command, port.ToString(CultureInfo.InvariantCulture), token ?? "-", .. arguments]);
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }
}
