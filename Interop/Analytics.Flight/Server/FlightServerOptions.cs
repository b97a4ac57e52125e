using System.Net;
using Analytics.Engine;

namespace Analytics.Flight.Server;

/// <summary>How a <see cref="FlightServer"/> listens, authenticates and limits calls.</summary>
public sealed record FlightServerOptions
{
    public required Database Database { get; init; }

    /// <summary>The address to listen on; loopback unless the host asks for more.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 picks a free one (see <see cref="FlightServer.Port"/>).</summary>
    public int Port { get; init; }

    /// <summary>
    /// The bearer token every call must carry (<c>authorization: Bearer TOKEN</c>), or null for no authentication.
    /// Handshake accepts it as its payload, as a BasicAuth password, or in a Basic authorization header, and answers
    /// with the bearer header.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>A PEM (certificate and private key in one file, or the key in <see cref="TlsKeyPath"/>) or PFX file: serve TLS.</summary>
    public string? TlsCertificatePath { get; init; }

    public string? TlsKeyPath { get; init; }

    /// <summary>Largest gRPC message a client may send (RESOURCE_EXHAUSTED beyond).</summary>
    public int MaxMessageBytes { get; init; } = 64 << 20;

    /// <summary>Largest total a DoPut call may upload (RESOURCE_EXHAUSTED beyond; nothing is appended).</summary>
    public long MaxPutBytes { get; init; } = 1L << 30;

    /// <summary>Identical read-only statements running at the same time share one execution.</summary>
    public bool Coalescing { get; init; } = true;

    /// <summary>
    /// While a shared execution has produced at most this many bytes, identical statements may still join it (they
    /// replay it from the start); beyond, it stops taking subscribers and frees what all of them have sent.
    /// </summary>
    public long CoalescingReplayBytes { get; init; } = 64 << 20;

    /// <summary>How far an execution may run ahead of its slowest subscriber (bytes) before it waits.</summary>
    public long StreamWindowBytes { get; init; } = 8 << 20;

    /// <summary>How long a ticket from GetFlightInfo stays valid.</summary>
    public TimeSpan TicketLifetime { get; init; } = TimeSpan.FromHours(1);
}
