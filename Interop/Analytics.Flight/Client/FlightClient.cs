using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Analytics.Arrow;
using Analytics.Arrow.Conversion;
using Analytics.Arrow.Types;
using Analytics.Flight.Arrow;
using Analytics.Flight.Grpc;
using Analytics.Flight.Protocol;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Google.Protobuf;

namespace Analytics.Flight.Client;

/// <summary>
/// An Arrow Flight client on HttpClient (HTTP/2 with prior knowledge for <c>grpc://</c>, ALPN for <c>grpc+tls://</c>)
/// and our own gRPC framing: every Flight method, plus <see cref="QueryAsync"/> (GetFlightInfo + DoGet of a ScopeQL
/// statement, read with Analytics.Arrow's IPC reader). A non-OK status is a <see cref="FlightRpcException"/>;
/// cancelling a call's token resets its HTTP/2 stream, which stops the query on the server. Thread-safe.
/// </summary>
public sealed class FlightClient : IDisposable
{
    private static readonly MediaTypeHeaderValue s_grpcContentType = new("application/grpc");

    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly FlightClientOptions _options;
    private readonly bool _ownsHttp = true;

    /// <summary>For a <see cref="WithDeadline"/> client: when its deadline passes (<see cref="Environment.TickCount64"/>).</summary>
    private readonly long? _deadline;

    public FlightClient(Uri location, FlightClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        _options = options ?? new FlightClientOptions();
        Token = _options.Token;
        bool tls = location.Scheme is "grpc+tls" or "https";
        if (location.Scheme is not ("grpc" or "grpc+tcp" or "grpc+tls" or "http" or "https" or "flight"))
        {
            throw new ArgumentException($"unsupported Flight location scheme '{location.Scheme}' (grpc://, grpc+tls://)", nameof(location));
        }
        _base = new Uri($"{(tls ? "https" : "http")}://{location.Authority}{FlightServerPath}");
        SocketsHttpHandler handler = new()
        {
            EnableMultipleHttp2Connections = true,
            InitialHttp2StreamWindowSize = 8 << 20,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        if (tls && _options.TrustedCertificate is { } trusted)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == SslPolicyErrors.None || (certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString()),
            };
        }
        _http = new HttpClient(handler)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    private FlightClient(FlightClient parent, TimeSpan? timeout)
    {
        _http = parent._http;
        _base = parent._base;
        _options = parent._options;
        Token = parent.Token;
        _ownsHttp = false;
        _deadline = timeout is { } span ? Environment.TickCount64 + (long)Math.Ceiling(span.TotalMilliseconds) : null;
    }

    private const string FlightServerPath = "/arrow.flight.protocol.FlightService/";

    /// <summary>
    /// A client for the same server, sharing this one's connections, whose calls share one deadline
    /// <paramref name="timeout"/> from now (null: none): each call carries the time left as its <c>grpc-timeout</c>
    /// (at least 1 ms, so a call after the deadline fails with the server's DEADLINE_EXCEEDED). For a deadline over
    /// several calls, such as one command. Disposing it leaves the connections open; it must not outlive this client.
    /// </summary>
    public FlightClient WithDeadline(TimeSpan? timeout) => new(this, timeout);

    /// <summary>The bearer token sent with each call (null: none).</summary>
    public string? Token { get; set; }

    /// <summary>Sends <paramref name="token"/> as the handshake payload and keeps the bearer token the server answers with.</summary>
    public async Task<string?> HandshakeAsync(string token, CancellationToken cancellationToken = default)
    {
        using HttpResponseMessage response = await SendAsync("Handshake", Unary(new HandshakeRequest { Payload = ByteString.CopyFromUtf8(token) }), cancellationToken).ConfigureAwait(false);
        await foreach (HandshakeResponse _ in ReadStreamAsync(response, HandshakeResponse.Parser, cancellationToken).ConfigureAwait(false))
        {
        }
        if (response.Headers.TryGetValues("authorization", out IEnumerable<string>? values)
            && values.FirstOrDefault() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            Token = header[7..].Trim();
        }
        return Token;
    }

    public Task<FlightInfo> GetFlightInfoAsync(FlightDescriptor descriptor, CancellationToken cancellationToken = default) =>
        UnaryAsync("GetFlightInfo", descriptor, FlightInfo.Parser, cancellationToken);

    public Task<PollInfo> PollFlightInfoAsync(FlightDescriptor descriptor, CancellationToken cancellationToken = default) =>
        UnaryAsync("PollFlightInfo", descriptor, PollInfo.Parser, cancellationToken);

    public Task<SchemaResult> GetSchemaAsync(FlightDescriptor descriptor, CancellationToken cancellationToken = default) =>
        UnaryAsync("GetSchema", descriptor, SchemaResult.Parser, cancellationToken);

    /// <summary>GetSchema, decoded: the Arrow schema of a statement's result or a table's PATH.</summary>
    public async Task<ArrowSchema> GetArrowSchemaAsync(FlightDescriptor descriptor, CancellationToken cancellationToken = default)
    {
        SchemaResult result = await GetSchemaAsync(descriptor, cancellationToken).ConfigureAwait(false);
        return FlightDataIpc.ReadSchemaMessage(result.Schema.Span);
    }

    public IAsyncEnumerable<FlightInfo> ListFlightsAsync(Criteria? criteria = null, CancellationToken cancellationToken = default) =>
        ServerStreamAsync("ListFlights", criteria ?? new Criteria(), FlightInfo.Parser, cancellationToken);

    public IAsyncEnumerable<FlightData> DoGetAsync(Ticket ticket, CancellationToken cancellationToken = default) =>
        ServerStreamAsync("DoGet", ticket, FlightData.Parser, cancellationToken);

    public IAsyncEnumerable<Result> DoActionAsync(Protocol.Action action, CancellationToken cancellationToken = default) =>
        ServerStreamAsync("DoAction", action, Result.Parser, cancellationToken);

    public IAsyncEnumerable<ActionType> ListActionsAsync(CancellationToken cancellationToken = default) =>
        ServerStreamAsync("ListActions", new Protocol.Empty(), ActionType.Parser, cancellationToken);

    /// <summary>Uploads <paramref name="messages"/> (the first carrying the descriptor) and returns every PutResult.</summary>
    public async Task<List<PutResult>> DoPutAsync(IEnumerable<FlightData> messages, CancellationToken cancellationToken = default)
    {
        PushContent content = new(async (stream, token) =>
        {
            foreach (FlightData message in messages)
            {
                token.ThrowIfCancellationRequested();
                await stream.WriteAsync(GrpcFrames.Frame(message), token).ConfigureAwait(false);
                await stream.FlushAsync(token).ConfigureAwait(false);
            }
            // Returning ends the request stream, which the server takes as a complete upload.
            token.ThrowIfCancellationRequested();
        }, cancellationToken);
        using HttpResponseMessage response = await SendAsync("DoPut", content, cancellationToken).ConfigureAwait(false);
        List<PutResult> results = [];
        await foreach (PutResult result in ReadStreamAsync(response, PutResult.Parser, cancellationToken).ConfigureAwait(false))
        {
            results.Add(result);
        }
        return results;
    }

    /// <summary>
    /// Runs a writing statement (INSERT, DELETE, UPDATE, DDL) through Flight SQL: DoPut of an Any-packed
    /// CommandStatementUpdate; returns the record count the server reports.
    /// </summary>
    public async Task<long> ExecuteUpdateAsync(string statement, CancellationToken cancellationToken = default)
    {
        FlightDescriptor descriptor = new()
        {
            Type = FlightDescriptor.Types.DescriptorType.Cmd,
            Cmd = Google.Protobuf.WellKnownTypes.Any.Pack(new Protocol.Sql.CommandStatementUpdate { Query = statement }).ToByteString(),
        };
        List<PutResult> results = await DoPutAsync([new FlightData { FlightDescriptor = descriptor }], cancellationToken).ConfigureAwait(false);
        return results.Count == 0 ? -1 : Protocol.Sql.DoPutUpdateResult.Parser.ParseFrom(results[^1].AppMetadata).RecordCount;
    }

    /// <summary>
    /// Uploads <paramref name="batches"/> (of <paramref name="schema"/>, each converted by <see cref="ArrowExport"/>
    /// when its turn comes, so a batch may be reused once the next is requested) by DoPut to
    /// <paramref name="descriptor"/>: one FlightData carrying the descriptor, then the IPC messages framed as they
    /// are written. Returns every PutResult.
    /// </summary>
    public async Task<List<PutResult>> PutAsync(FlightDescriptor descriptor, BatchSchema schema, IEnumerable<Batch> batches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(batches);
        PushContent content = new(async (stream, token) =>
        {
            await stream.WriteAsync(GrpcFrames.Frame(new FlightData { FlightDescriptor = descriptor }), token).ConfigureAwait(false);
            List<byte[]> frames = [];
            ArrowSchema arrowSchema = ArrowExport.ToArrowSchema(schema);
            using FlightDataFramer framer = new(frames.Add);
            using ArrowIpcWriter writer = new(framer, arrowSchema);
            foreach (Batch batch in batches)
            {
                if (batch.Count == 0)
                {
                    continue;
                }
                writer.WriteBatch(ArrowExport.ToArrow(batch, arrowSchema));
                await WriteFramesAsync(stream, frames, token).ConfigureAwait(false);
            }
            // The schema message, when no batch was written (the end-of-stream marker itself frames to nothing).
            writer.Finish();
            await WriteFramesAsync(stream, frames, token).ConfigureAwait(false);
        }, cancellationToken);
        using HttpResponseMessage response = await SendAsync("DoPut", content, cancellationToken).ConfigureAwait(false);
        List<PutResult> results = [];
        await foreach (PutResult result in ReadStreamAsync(response, PutResult.Parser, cancellationToken).ConfigureAwait(false))
        {
            results.Add(result);
        }
        return results;
    }

    private static async Task WriteFramesAsync(Stream stream, List<byte[]> frames, CancellationToken cancellationToken)
    {
        // An HTTP/2 request stream can take a write into its buffer without looking at the token, and the upload
        // that follows would end normally: a cancelled upload must fail here so the stream is reset, not completed.
        cancellationToken.ThrowIfCancellationRequested();
        foreach (byte[] frame in frames)
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        frames.Clear();
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Flight SQL CreatePreparedStatement of a ScopeQL statement. Bind its placeholder values with
    /// <see cref="FlightPreparedStatement.BindAsync"/>; disposing it closes it on the server.
    /// </summary>
    public async Task<FlightPreparedStatement> PrepareAsync(string statement, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(statement);
        Protocol.Action action = new()
        {
            Type = "CreatePreparedStatement",
            Body = Google.Protobuf.WellKnownTypes.Any.Pack(new Protocol.Sql.ActionCreatePreparedStatementRequest { Query = statement }).ToByteString(),
        };
        Protocol.Sql.ActionCreatePreparedStatementResult? created = null;
        await foreach (Result result in DoActionAsync(action, cancellationToken).ConfigureAwait(false))
        {
            created ??= Google.Protobuf.WellKnownTypes.Any.Parser.ParseFrom(result.Body).Unpack<Protocol.Sql.ActionCreatePreparedStatementResult>();
        }
        return new FlightPreparedStatement(this, created ?? throw new FlightRpcException(GrpcStatusCode.Internal, "CreatePreparedStatement returned no result"));
    }

    /// <summary>The FlightData messages of an Arrow IPC stream (schema, dictionaries, batches), the first carrying <paramref name="descriptor"/>.</summary>
    public static IEnumerable<FlightData> ToFlightData(FlightDescriptor descriptor, ReadOnlyMemory<byte> ipcStream)
    {
        List<byte[]> frames = [];
        using (FlightDataFramer framer = new(frames.Add))
        {
            framer.Write(ipcStream.Span);
        }
        bool first = true;
        foreach (byte[] frame in frames)
        {
            FlightData data = FlightData.Parser.ParseFrom(frame.AsSpan(GrpcFrames.PrefixLength));
            if (first)
            {
                data.FlightDescriptor = descriptor;
                first = false;
            }
            yield return data;
        }
    }

    /// <summary>
    /// Runs a ScopeQL statement: GetFlightInfo of a CMD descriptor, then DoGet of its ticket. The returned reader
    /// yields the batches as they arrive (the stream is read in the background, with backpressure).
    /// </summary>
    public async Task<FlightQueryReader> QueryAsync(string statement, CancellationToken cancellationToken = default)
    {
        FlightInfo info = await GetFlightInfoAsync(new FlightDescriptor
        {
            Type = FlightDescriptor.Types.DescriptorType.Cmd,
            Cmd = ByteString.CopyFromUtf8(statement),
        }, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(info.Endpoint[0].Ticket, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DoGet of <paramref name="ticket"/>, read as Arrow record batches.</summary>
    public async Task<FlightQueryReader> ReadAsync(Ticket ticket, CancellationToken cancellationToken = default)
    {
        CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Pipe pipe = new(new PipeOptions(pauseWriterThreshold: 16 << 20, resumeWriterThreshold: 8 << 20, useSynchronizationContext: false));
        Task pump = PumpAsync(ticket, pipe.Writer, stop.Token);
        Stream stream = pipe.Reader.AsStream();
        try
        {
            ArrowIpcReader reader = await Task.Run(() => ArrowIpcReader.Open(stream), cancellationToken).ConfigureAwait(false);
            return new FlightQueryReader(reader, stream, pump, stop);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            // The pump's own error (a gRPC status) explains an empty or broken stream better than the IPC reader's.
            await pump.ConfigureAwait(false);
            stop.Dispose();
            throw;
        }
    }

    private async Task PumpAsync(Ticket ticket, PipeWriter output, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (FlightData data in DoGetAsync(ticket, cancellationToken).ConfigureAwait(false))
            {
                if (FlightDataIpc.WriteIpcMessage(data, output) && (await output.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted)
                {
                    break;
                }
            }
            FlightDataIpc.WriteEndOfStream(output);
            await output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await output.CompleteAsync(e).ConfigureAwait(false);
            if (e is not OperationCanceledException)
            {
                throw;
            }
        }
    }

    private async Task<TResponse> UnaryAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        using HttpResponseMessage response = await SendAsync(method, Unary(request), cancellationToken).ConfigureAwait(false);
        TResponse? single = null;
        await foreach (TResponse message in ReadStreamAsync(response, parser, cancellationToken).ConfigureAwait(false))
        {
            single ??= message;
        }
        return single ?? throw new FlightRpcException(GrpcStatusCode.Internal, $"{method} returned OK without a response message");
    }

    private async IAsyncEnumerable<TResponse> ServerStreamAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser,
        [EnumeratorCancellation] CancellationToken cancellationToken) where TResponse : class, IMessage<TResponse>
    {
        using HttpResponseMessage response = await SendAsync(method, Unary(request), cancellationToken).ConfigureAwait(false);
        await foreach (TResponse message in ReadStreamAsync(response, parser, cancellationToken).ConfigureAwait(false))
        {
            yield return message;
        }
    }

    private static ByteArrayContent Unary(IMessage request) => new(GrpcFrames.Frame(request));

    private async Task<HttpResponseMessage> SendAsync(string method, HttpContent content, CancellationToken cancellationToken)
    {
        content.Headers.ContentType = s_grpcContentType;
        using HttpRequestMessage request = new(HttpMethod.Post, new Uri(_base, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }
        if (_deadline is { } deadline)
        {
            request.Headers.Add("grpc-timeout", GrpcTimeout.Format(TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64))));
        }
        else if (_options.Timeout is { } timeout)
        {
            request.Headers.Add("grpc-timeout", GrpcTimeout.Format(timeout));
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new FlightRpcException(GrpcStatusCode.Unavailable, $"cannot reach the Flight server {_base.Authority}: {e.Message}", e);
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            HttpStatusCode status = response.StatusCode;
            response.Dispose();
            throw new FlightRpcException(status switch
            {
                HttpStatusCode.Unauthorized => GrpcStatusCode.Unauthenticated,
                HttpStatusCode.Forbidden => GrpcStatusCode.PermissionDenied,
                HttpStatusCode.NotFound => GrpcStatusCode.Unimplemented,
                HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => GrpcStatusCode.Unavailable,
                _ => GrpcStatusCode.Internal,
            }, string.Create(CultureInfo.InvariantCulture, $"HTTP status {(int)status} from {_base.Authority}"));
        }
        return response;
    }

    /// <summary>Reads the response messages to the end, then checks the status (trailers, or the headers of a Trailers-Only response).</summary>
    private async IAsyncEnumerable<TResponse> ReadStreamAsync<TResponse>(HttpResponseMessage response, MessageParser<TResponse> parser,
        [EnumeratorCancellation] CancellationToken cancellationToken) where TResponse : class, IMessage<TResponse>
    {
        ThrowIfError(response.Headers);
        Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        PipeReader reader = PipeReader.Create(body);
        try
        {
            while (true)
            {
                byte[]? bytes;
                try
                {
                    bytes = await GrpcFrames.ReadMessageAsync(reader, _options.MaxMessageBytes, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    throw StatusFromReset(e);
                }
                if (bytes is null)
                {
                    break;
                }
                TResponse message;
                try
                {
                    message = parser.ParseFrom(bytes);
                }
                catch (InvalidProtocolBufferException e)
                {
                    throw new FlightRpcException(GrpcStatusCode.Internal, $"malformed {typeof(TResponse).Name} from the server: {e.Message}", e);
                }
                yield return message;
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        if (!ThrowIfError(response.TrailingHeaders) && !response.Headers.Contains("grpc-status"))
        {
            throw new FlightRpcException(GrpcStatusCode.Internal, "the server ended the call without a grpc-status");
        }
    }

    /// <summary>A stream reset by the server: the status of the RST_STREAM code (arrow-flight.md §4.1), with the transport's message.</summary>
    private static FlightRpcException StatusFromReset(Exception error)
    {
        GrpcStatusCode status = error.InnerException is HttpProtocolException { ErrorCode: 8 } || error is HttpProtocolException { ErrorCode: 8 }
            ? GrpcStatusCode.Cancelled
            : GrpcStatusCode.Unavailable;
        return new FlightRpcException(status, $"the call's stream broke: {error.Message}", error);
    }

    /// <summary>Throws the status in <paramref name="headers"/> when it is not OK; true when there was a status.</summary>
    private static bool ThrowIfError(HttpHeaders headers)
    {
        if (!headers.TryGetValues("grpc-status", out IEnumerable<string>? statusValues))
        {
            return false;
        }
        string text = statusValues.First();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int code))
        {
            throw new FlightRpcException(GrpcStatusCode.Internal, $"invalid grpc-status '{text}'");
        }
        if (code == 0)
        {
            return true;
        }
        string message = headers.TryGetValues("grpc-message", out IEnumerable<string>? messageValues) ? GrpcMessageText.Decode(messageValues.First()) : "";
        throw new FlightRpcException((GrpcStatusCode)code, message);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>A request body written while the call runs (client streaming): headers go out at once, the length is unknown.</summary>
    private sealed class PushContent(Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => write(stream, cancellationToken);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken token)
        {
            // The caller's token as well as the transport's: the transport's is not guaranteed to carry the caller's.
            using CancellationTokenSource both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, token);
            await write(stream, both.Token).ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
