using System.Security.Cryptography.X509Certificates;

namespace Analytics.Flight.Client;

/// <summary>How a <see cref="FlightClient"/> connects.</summary>
public sealed record FlightClientOptions
{
    /// <summary>The bearer token sent on every call (<c>authorization: Bearer</c>); <see cref="FlightClient.HandshakeAsync"/> sets it too.</summary>
    public string? Token { get; init; }

    /// <summary>Per-call deadline sent as <c>grpc-timeout</c>; null for none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>For <c>grpc+tls://</c>: a certificate to trust in addition to the system's (a self-signed server certificate).</summary>
    public X509Certificate2? TrustedCertificate { get; init; }

    /// <summary>Largest message accepted from the server.</summary>
    public int MaxMessageBytes { get; init; } = 256 << 20;
}
