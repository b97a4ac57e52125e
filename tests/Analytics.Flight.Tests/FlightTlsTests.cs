using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Analytics.Flight.Client;
using Analytics.Flight.Grpc;
using Xunit;

namespace Analytics.Flight.Tests;

/// <summary>TLS with a certificate file: a self-signed certificate made by the test, written as one PEM with its key.</summary>
public sealed class FlightTlsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "analytics-flight-tls-" + Guid.NewGuid().ToString("N"));

    public FlightTlsTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task Serves_TLS_from_a_PEM_certificate_file_and_checks_the_token()
    {
        using RSA key = RSA.Create(2048);
        CertificateRequest request = new("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        SubjectAlternativeNameBuilder names = new();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        string pem = Path.Combine(_directory, "server.pem");
        File.WriteAllText(pem, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");

        await using TestServer server = await TestServer.StartAsync(token: "tls-token", configure: o => o with { TlsCertificatePath = pem });
        Assert.StartsWith("grpc+tls://127.0.0.1:", server.Location.ToString(), StringComparison.Ordinal);
        using X509Certificate2 trusted = X509CertificateLoader.LoadCertificate(certificate.RawData);
        using FlightClient client = new(server.Location, new FlightClientOptions { Token = "tls-token", TrustedCertificate = trusted });
        using (FlightQueryReader reader = await client.QueryAsync("FROM people AGGREGATE count() AS n"))
        {
            Assert.Equal(["3"], TestServer.Rows(reader));
        }
        using FlightClient untrusting = new(server.Location, new FlightClientOptions { Token = "tls-token" });
        FlightRpcException refused = await Assert.ThrowsAsync<FlightRpcException>(() => untrusting.QueryAsync("FROM people"));
        Assert.Equal(GrpcStatusCode.Unavailable, refused.Status);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
