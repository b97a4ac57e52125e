using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Analytics.Flight.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.Flight.Server;

/// <summary>
/// The Arrow Flight (and Flight SQL) endpoint of a database: Kestrel on HTTP/2 only (h2c, or TLS with a certificate),
/// with our own gRPC framing. One terminal middleware dispatches on the path
/// <c>/arrow.flight.protocol.FlightService/METHOD</c>: it checks the content type, the <c>grpc-timeout</c> deadline
/// and the bearer token, runs the method (<see cref="FlightService"/>) and sends the status as trailers (or as
/// headers, "Trailers-Only", when nothing was sent). A failing call never affects the others.
/// </summary>
public sealed class FlightServer : IAsyncDisposable
{
    public const string ServicePath = "/arrow.flight.protocol.FlightService/";

    private readonly WebApplication _app;
    private readonly FlightServerOptions _options;
    private readonly FlightService _service;

    private FlightServer(WebApplication app, FlightServerOptions options)
    {
        _app = app;
        _options = options;
        _service = new FlightService(options, Counters);
    }

    public FlightCounters Counters { get; } = new();

    /// <summary>The port the server listens on (the one picked when the options asked for 0).</summary>
    public int Port { get; private set; }

    /// <summary><c>grpc://host:port</c> or <c>grpc+tls://host:port</c>.</summary>
    public Uri Location => new(string.Create(CultureInfo.InvariantCulture,
        $"{(_options.TlsCertificatePath is null ? "grpc" : "grpc+tls")}://{(_options.Address.Equals(IPAddress.IPv6Loopback) ? "[::1]" : _options.Address.ToString())}:{Port}"));

    public static async Task<FlightServer> StartAsync(FlightServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        X509Certificate2? certificate = LoadCertificate(options);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            // Larger windows than Kestrel's defaults (1 MiB / 768 KiB) for bulk DoGet streams.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 8 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 4 << 20;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 256;
            kestrel.Listen(options.Address, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        WebApplication app = builder.Build();
        FlightServer server = new(app, options);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default) => await _app.StopAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static X509Certificate2? LoadCertificate(FlightServerOptions options)
    {
        if (options.TlsCertificatePath is not { } path)
        {
            return null;
        }
        try
        {
            return path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password: null)
                : X509Certificate2.CreateFromPemFile(path, options.TlsKeyPath);
        }
        catch (Exception e) when (e is CryptographicException or IOException)
        {
            throw new InvalidOperationException($"cannot load the TLS certificate {path}: {e.Message}", e);
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        Interlocked.Increment(ref Counters._calls);
        HttpRequest request = http.Request;
        HttpResponse response = http.Response;
        if (!HttpMethods.IsPost(request.Method) || request.ContentType is not { } contentType
            || !contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        response.ContentType = "application/grpc";
        response.Headers["grpc-accept-encoding"] = "identity";
        // Our own limits apply per message (MaxMessageBytes) and per DoPut (MaxPutBytes); Kestrel's per-request
        // body size and minimum data rate would cut long uploads and slow writers (arrow-flight.md §4.2).
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }
        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } dataRate)
        {
            dataRate.MinDataRate = null;
        }
        string path = request.Path.Value ?? "";
        string method = path.StartsWith(ServicePath, StringComparison.Ordinal) ? path[ServicePath.Length..] : "";
        using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        bool hasDeadline = false;
        try
        {
            if (request.Headers.TryGetValue("grpc-timeout", out Microsoft.Extensions.Primitives.StringValues timeoutHeader))
            {
                if (!GrpcTimeout.TryParse(timeoutHeader.ToString(), out TimeSpan timeout))
                {
                    throw new FlightRpcException(GrpcStatusCode.InvalidArgument, $"invalid grpc-timeout '{timeoutHeader}'");
                }
                hasDeadline = true;
                deadline.CancelAfter(timeout);
            }
            if (request.Headers.TryGetValue("grpc-encoding", out Microsoft.Extensions.Primitives.StringValues encoding)
                && !string.Equals(encoding.ToString(), "identity", StringComparison.Ordinal))
            {
                throw new FlightRpcException(GrpcStatusCode.Unimplemented, $"grpc-encoding '{encoding}' is not supported (identity only)");
            }
            FlightCall call = new(http, deadline.Token, _options.MaxMessageBytes);
            if (!string.Equals(method, "Handshake", StringComparison.Ordinal))
            {
                Authenticate(request);
            }
            await _service.DispatchAsync(method, call).ConfigureAwait(false);
            WriteStatus(response, GrpcStatusCode.Ok, null);
        }
        catch (Exception error)
        {
            if (http.RequestAborted.IsCancellationRequested)
            {
                // The client reset the stream: nobody reads a status any more.
                return;
            }
            bool deadlineExpired = hasDeadline && deadline.IsCancellationRequested;
            (GrpcStatusCode status, string message) = FlightErrors.ToStatus(error, deadlineExpired);
            WriteStatus(response, status, message);
        }
    }

    /// <summary>Rejects the call unless it carries <c>authorization: Bearer TOKEN</c> (when the server has a token).</summary>
    private void Authenticate(HttpRequest request)
    {
        if (_options.Token is null)
        {
            return;
        }
        string? authorization = request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && TokenCheck.Matches(_options.Token!, authorization.AsSpan(7).Trim()))
        {
            return;
        }
        Interlocked.Increment(ref Counters._rejectedUnauthenticated);
        throw new FlightRpcException(GrpcStatusCode.Unauthenticated,
            authorization is null ? "authentication required: send 'authorization: Bearer TOKEN' (Handshake returns it)" : "invalid bearer token");
    }

    private static void WriteStatus(HttpResponse response, GrpcStatusCode status, string? message)
    {
        string code = ((int)status).ToString(CultureInfo.InvariantCulture);
        if (!response.HasStarted)
        {
            // Trailers-Only: the status rides in the only HEADERS frame.
            response.Headers["grpc-status"] = code;
            if (message is not null)
            {
                response.Headers["grpc-message"] = GrpcMessageText.Encode(message);
            }
            return;
        }
        response.AppendTrailer("grpc-status", code);
        if (message is not null)
        {
            response.AppendTrailer("grpc-message", GrpcMessageText.Encode(message));
        }
    }
}
