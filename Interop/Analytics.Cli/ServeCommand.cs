using System.Net;
using Analytics.Engine;
using Analytics.Errors;
using Analytics.Flight.Server;
using Analytics.Sources.Cassandra;
using Analytics.Sources.Files.Csv;
using Analytics.Sources.Files.Json;

namespace Analytics.Cli;

/// <summary>What <c>analytics serve</c> was asked for.</summary>
internal sealed record ServeOptions(string DatabasePath, int Port, string? TokenFile, string? Listen, string? TlsCertificate, string? TlsKey);

/// <summary>
/// <c>analytics serve DBDIR [--port N] [--token-file F] [--listen ADDR] [--tls-cert F [--tls-key F]]</c>: the database
/// over Arrow Flight (and Flight SQL) until <paramref name="stop"/> is cancelled (Ctrl-C or SIGTERM in the real
/// process). Loopback unless <c>--listen</c> says otherwise; with a token file every call needs that bearer token.
/// Prints <c>Serving Arrow Flight on grpc://ADDR:PORT</c> once it listens.
/// </summary>
internal static class ServeCommand
{
    public static int Run(ServeOptions options, CliConsole console, CancellationToken stop)
    {
        string? token = null;
        IPAddress address = IPAddress.Loopback;
        try
        {
            if (options.TokenFile is not null)
            {
                token = File.ReadAllText(options.TokenFile).Trim();
                if (token.Length == 0)
                {
                    console.Error.WriteLine($"Invalid Input Error: the token file {options.TokenFile} is empty");
                    return 1;
                }
            }
            if (options.Listen is not null && !IPAddress.TryParse(options.Listen, out address!))
            {
                console.Error.WriteLine($"Invalid Input Error: --listen needs an IP address, not '{options.Listen}'");
                return 1;
            }
        }
        catch (IOException e)
        {
            console.Error.WriteLine($"IO Error: cannot read the token file {options.TokenFile}: {e.Message}");
            return 1;
        }
        Database database;
        try
        {
            database = Database.Open(options.DatabasePath);
        }
        catch (QueryException e)
        {
            console.Error.WriteLine(e.Message);
            return 1;
        }
        using (database)
        {
            database.RegisterSourceFactory(new ReadJsonSourceFactory());
            database.RegisterSourceFactory(new ReadCsvSourceFactory());
            database.RegisterSourceFactory(new SSTableSourceFactory());
            database.RegisterSourceFactory(new Arrow.Sources.ReadArrowSourceFactory());
            FlightServer server;
            try
            {
                server = FlightServer.StartAsync(new FlightServerOptions
                {
                    Database = database,
                    Address = address,
                    Port = options.Port,
                    Token = token,
                    TlsCertificatePath = options.TlsCertificate,
                    TlsKeyPath = options.TlsKey,
                }, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                console.Error.WriteLine($"IO Error: cannot serve on {address}:{options.Port}: {e.Message}");
                return 1;
            }
            console.Out.WriteLine($"Serving Arrow Flight on {server.Location.GetComponents(UriComponents.SchemeAndServer, UriFormat.Unescaped)}{(token is null ? "" : " (bearer token required)")}");
            console.Out.Flush();
            try
            {
                stop.WaitHandle.WaitOne();
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            console.Out.WriteLine("Flight server stopped");
        }
        return 0;
    }
}
