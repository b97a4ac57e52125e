using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Analytics.Errors;

namespace Analytics.Engine.Storage.ObjectStore.S3;

/// <summary>
/// An object store in an S3 bucket (AWS or any S3-compatible server), spoken to directly over HttpClient with SigV4
/// signing: PUT (multipart above a threshold), conditional PUT (<c>If-None-Match: *</c>) for
/// <see cref="PutIfAbsent"/>, GET with explicit byte ranges, HEAD, ListObjectsV2 and DELETE. Transient failures are
/// retried with exponential back-off and jitter; every other failure is an IO error naming the object. The
/// interface is synchronous, so requests use HttpClient's synchronous <see cref="HttpClient.Send(HttpRequestMessage, HttpCompletionOption)"/>.
/// </summary>
internal sealed class S3ObjectStore : IObjectStore
{
    private static readonly XNamespace S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static readonly UriCreationOptions VerbatimUri = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private readonly S3StoreOptions _options;
    private readonly HttpClient _http;
    private readonly SigV4Signer _signer;
    private readonly string _origin;
    private readonly string _bucketPath;
    private readonly string _keyPrefix;

    public S3ObjectStore(S3StoreOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _keyPrefix = options.Prefix.Length == 0 ? "" : options.Prefix + "/";
        _signer = new SigV4Signer(options.Credentials, options.Region);

        Uri endpoint = options.Endpoint ?? new Uri($"https://s3.{options.Region}.amazonaws.com");
        string port = endpoint.IsDefaultPort ? "" : ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture);
        if (options.PathStyle)
        {
            _origin = $"{endpoint.Scheme}://{endpoint.IdnHost}{port}";
            _bucketPath = "/" + SigV4Signer.UriEncode(options.Bucket, encodeSlash: true);
        }
        else
        {
            _origin = $"{endpoint.Scheme}://{options.Bucket}.{endpoint.IdnHost}{port}";
            _bucketPath = "";
        }

        handler ??= new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = options.RequestTimeout };
    }

    /// <summary>The store for <c>s3://bucket/prefix</c> configured from the environment (see <see cref="S3StoreOptions.FromUri"/>).</summary>
    public static S3ObjectStore FromUri(string uri, Func<string, string?> environment) => new(S3StoreOptions.FromUri(uri, environment));

    public string Location => _options.Location;

    public string Describe(string key) => $"s3://{_options.Bucket}/{_keyPrefix}{key}";

    private string FullKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0 || key[0] == '/' || key.Contains("//", StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid object key \"{key}\"", nameof(key));
        }
        foreach (string segment in key.Split('/'))
        {
            if (segment is "." or "..")
            {
                throw new ArgumentException($"invalid object key \"{key}\"", nameof(key));
            }
        }
        return _keyPrefix + key;
    }

    public void Put(string key, ReadOnlySpan<byte> content)
    {
        string fullKey = FullKey(key);
        byte[] body = content.ToArray();
        if (body.Length > _options.MultipartThreshold)
        {
            PutMultipart(key, fullKey, body, ifAbsent: false);
            return;
        }
        S3Response response = Execute(new S3Request(HttpMethod.Put, "write", Describe(key), fullKey) { Body = body, BodyLength = body.Length });
        if (!response.IsSuccess)
        {
            throw Failure("write", Describe(key), response);
        }
    }

    /// <summary>A PUT is durable when S3 answers: there is no cheaper, non-durable write to use instead.</summary>
    public void PutUnsynced(string key, ReadOnlySpan<byte> content) => Put(key, content);

    public bool PutIfAbsent(string key, ReadOnlySpan<byte> content)
    {
        string fullKey = FullKey(key);
        byte[] body = content.ToArray();
        if (body.Length > _options.MultipartThreshold)
        {
            return PutMultipart(key, fullKey, body, ifAbsent: true);
        }
        S3Response response = Execute(new S3Request(HttpMethod.Put, "create", Describe(key), fullKey)
        {
            Body = body,
            BodyLength = body.Length,
            IfNoneMatchAny = true,
        });
        if (response.Status == HttpStatusCode.PreconditionFailed)
        {
            return response.Attempts > 1 && IsOwnWrite(key, body);
        }
        if (!response.IsSuccess)
        {
            throw Failure("create", Describe(key), response);
        }
        return true;
    }

    /// <summary>
    /// After a retried conditional write is refused, the object may be ours: the earlier attempt can have succeeded
    /// with its answer lost. Identical bytes mean it was (a rival writing the very same bytes is harmless).
    /// </summary>
    private bool IsOwnWrite(string key, byte[] body)
    {
        byte[]? stored = TryGet(key);
        return stored is not null && stored.AsSpan().SequenceEqual(body);
    }

    /// <summary>Create, upload the parts, complete; any failure aborts the upload so no parts are left behind.</summary>
    private bool PutMultipart(string key, string fullKey, byte[] body, bool ifAbsent)
    {
        string name = Describe(key);
        string verb = ifAbsent ? "create" : "write";
        S3Response created = Execute(new S3Request(HttpMethod.Post, verb, name, fullKey) { Query = "uploads" });
        if (!created.IsSuccess)
        {
            throw Failure(verb, name, created);
        }
        string uploadId = ParseXml(name, created.Body).Root?.Elements().FirstOrDefault(static e => e.Name.LocalName == "UploadId")?.Value
            ?? throw new QueryException(ErrorKind.Io, $"cannot {verb} {name}: the S3 server started a multipart upload without an UploadId");
        string uploadQuery = "uploadId=" + SigV4Signer.UriEncode(uploadId, encodeSlash: true);

        bool completed = false;
        try
        {
            XElement completion = new(S3Namespace + "CompleteMultipartUpload");
            int partNumber = 0;
            for (int offset = 0; offset < body.Length; offset += _options.PartSize)
            {
                partNumber++;
                int length = Math.Min(_options.PartSize, body.Length - offset);
                S3Response part = Execute(new S3Request(HttpMethod.Put, verb, name, fullKey)
                {
                    Query = $"partNumber={partNumber.ToString(CultureInfo.InvariantCulture)}&{uploadQuery}",
                    Body = body,
                    BodyOffset = offset,
                    BodyLength = length,
                });
                if (!part.IsSuccess)
                {
                    throw Failure(verb, name, part);
                }
                string etag = part.ETag
                    ?? throw new QueryException(ErrorKind.Io, $"cannot {verb} {name}: the S3 server returned no ETag for part {partNumber}");
                completion.Add(new XElement(S3Namespace + "Part",
                    new XElement(S3Namespace + "PartNumber", partNumber),
                    new XElement(S3Namespace + "ETag", etag)));
            }

            byte[] completionBody = Encoding.UTF8.GetBytes(completion.ToString(SaveOptions.DisableFormatting));
            S3Response complete = Execute(new S3Request(HttpMethod.Post, verb, name, fullKey)
            {
                Query = uploadQuery,
                Body = completionBody,
                BodyLength = completionBody.Length,
                IfNoneMatchAny = ifAbsent,
            });
            if (complete.Status == HttpStatusCode.PreconditionFailed && ifAbsent)
            {
                return complete.Attempts > 1 && IsOwnWrite(key, body);
            }
            if (!complete.IsSuccess)
            {
                throw Failure(verb, name, complete);
            }
            // S3 can answer 200 and still fail the completion, with an <Error> document as the body.
            if (ParseXml(name, complete.Body).Root is { Name.LocalName: "Error" } error)
            {
                throw new QueryException(ErrorKind.Io,
                    $"cannot {verb} {name}: S3 failed to complete the multipart upload: {Child(error, "Code")}: {Child(error, "Message")}");
            }
            completed = true;
            return true;
        }
        finally
        {
            if (!completed)
            {
                AbortMultipart(name, fullKey, uploadQuery);
            }
        }
    }

    private void AbortMultipart(string name, string fullKey, string uploadQuery)
    {
        try
        {
            _ = Execute(new S3Request(HttpMethod.Delete, "abort the upload of", name, fullKey) { Query = uploadQuery });
        }
        catch (QueryException)
        {
            // The original failure is what the caller must see; an upload left open holds no visible object.
        }
    }

    public byte[]? TryGet(string key)
    {
        string fullKey = FullKey(key);
        S3Response response = Execute(new S3Request(HttpMethod.Get, "read", Describe(key), fullKey));
        if (IsMissingObject(response))
        {
            return null;
        }
        if (!response.IsSuccess)
        {
            throw Failure("read", Describe(key), response);
        }
        return response.Body;
    }

    /// <summary>No background fetching: every ranged GET is issued by the read that needs it.</summary>
    public void Prefetch(string key, ReadOnlySpan<ObjectRange> ranges)
    {
    }

    public void ReadRange(string key, long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string fullKey = FullKey(key);
        string name = Describe(key);
        if (destination.IsEmpty)
        {
            if (Head(key) is null)
            {
                throw new QueryException(ErrorKind.Io, $"object \"{name}\" does not exist");
            }
            return;
        }
        long last = offset + destination.Length - 1;
        S3Response response = Execute(new S3Request(HttpMethod.Get, "read", name, fullKey) { Range = (offset, last) });
        if (IsMissingObject(response))
        {
            throw new QueryException(ErrorKind.Io, $"object \"{name}\" does not exist");
        }
        if (response.Status == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            string end = response.ContentRange?.Length is long size ? size.ToString(CultureInfo.InvariantCulture) : "before it";
            throw new QueryException(ErrorKind.Io,
                $"\"{name}\" is truncated: {destination.Length} bytes at offset {offset} requested, the object ends at {end}");
        }
        if (!response.IsSuccess)
        {
            throw Failure("read", name, response);
        }

        ReadOnlySpan<byte> received = response.Body;
        long receivedStart;
        if (response.Status == HttpStatusCode.PartialContent)
        {
            if (response.ContentRange is not { From: long from, To: long to } || to - from + 1 != received.Length)
            {
                throw new QueryException(ErrorKind.Io,
                    $"cannot read {name}: the S3 server answered range bytes={offset}-{last} with Content-Range \"{response.ContentRange}\" and {received.Length} bytes");
            }
            if (from != offset)
            {
                throw new QueryException(ErrorKind.Io,
                    $"cannot read {name}: the S3 server returned bytes from offset {from} for range bytes={offset}-{last}");
            }
            receivedStart = from;
        }
        else
        {
            // A server that ignores Range sends the whole object.
            receivedStart = 0;
        }
        long available = receivedStart + received.Length - offset;
        if (available < destination.Length)
        {
            throw new QueryException(ErrorKind.Io,
                $"\"{name}\" is truncated: {destination.Length} bytes at offset {offset} requested, the object ends at {offset + Math.Max(available, 0)}");
        }
        received.Slice((int)(offset - receivedStart), destination.Length).CopyTo(destination);
    }

    public ObjectInfo? Head(string key)
    {
        string fullKey = FullKey(key);
        S3Response response = Execute(new S3Request(HttpMethod.Head, "stat", Describe(key), fullKey));
        if (response.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccess)
        {
            throw Failure("stat", Describe(key), response);
        }
        if (response.ContentLength is not long size)
        {
            throw new QueryException(ErrorKind.Io, $"cannot stat {Describe(key)}: the S3 server sent no Content-Length");
        }
        return new ObjectInfo(key, size, response.LastModified ?? DateTimeOffset.UnixEpoch);
    }

    public IReadOnlyList<ObjectInfo> List(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string name = Describe(prefix);
        string encodedPrefix = SigV4Signer.UriEncode(_keyPrefix + prefix, encodeSlash: true);
        string pageSize = _options.ListPageSize is int max ? "&max-keys=" + max.ToString(CultureInfo.InvariantCulture) : "";
        List<ObjectInfo> objects = [];
        string? continuation = null;
        do
        {
            string query = $"list-type=2&prefix={encodedPrefix}{pageSize}";
            if (continuation is not null)
            {
                query += "&continuation-token=" + SigV4Signer.UriEncode(continuation, encodeSlash: true);
            }
            S3Response response = Execute(new S3Request(HttpMethod.Get, "list", name, null) { Query = query });
            if (!response.IsSuccess)
            {
                throw Failure("list", name, response);
            }
            continuation = ParseListPage(name, response.Body, objects);
        }
        while (continuation is not null);
        objects.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return objects;
    }

    /// <summary>Adds one ListObjectsV2 page's objects (keys relative to the store prefix); the next page's token, or null.</summary>
    private string? ParseListPage(string name, byte[] page, List<ObjectInfo> objects)
    {
        XElement root = ParseXml(name, page).Root
            ?? throw new QueryException(ErrorKind.Io, $"cannot list {name}: the S3 server sent an empty listing");
        bool truncated = false;
        string? next = null;
        foreach (XElement element in root.Elements())
        {
            switch (element.Name.LocalName)
            {
                case "Contents":
                    string? fullKey = Child(element, "Key");
                    string? size = Child(element, "Size");
                    if (fullKey is null || size is null || !long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes))
                    {
                        throw new QueryException(ErrorKind.Io, $"cannot list {name}: the S3 server listed an object without a key or size");
                    }
                    if (!fullKey.StartsWith(_keyPrefix, StringComparison.Ordinal))
                    {
                        throw new QueryException(ErrorKind.Io, $"cannot list {name}: the S3 server listed \"{fullKey}\", outside the prefix asked for");
                    }
                    DateTimeOffset modified = Child(element, "LastModified") is { } text
                        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed)
                        ? parsed
                        : DateTimeOffset.UnixEpoch;
                    objects.Add(new ObjectInfo(fullKey[_keyPrefix.Length..], bytes, modified));
                    break;
                case "IsTruncated":
                    truncated = string.Equals(element.Value.Trim(), "true", StringComparison.OrdinalIgnoreCase);
                    break;
                case "NextContinuationToken":
                    next = element.Value;
                    break;
            }
        }
        if (!truncated)
        {
            return null;
        }
        return string.IsNullOrEmpty(next)
            ? throw new QueryException(ErrorKind.Io, $"cannot list {name}: the S3 server truncated the listing without a continuation token")
            : next;
    }

    public void Delete(string key)
    {
        string fullKey = FullKey(key);
        S3Response response = Execute(new S3Request(HttpMethod.Delete, "delete", Describe(key), fullKey));
        if (!response.IsSuccess && !IsMissingObject(response))
        {
            throw Failure("delete", Describe(key), response);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>404 for the object itself; a missing bucket is an error, not an absent object.</summary>
    private static bool IsMissingObject(S3Response response) =>
        response.Status == HttpStatusCode.NotFound && response.ErrorCode() is null or "NoSuchKey";

    /// <summary>
    /// Sends the request, retrying transient failures (5xx, 408, 429, SlowDown, RequestTimeout, connection errors,
    /// timeouts) up to <see cref="S3StoreOptions.MaxAttempts"/> with exponential back-off and full jitter. Returns any
    /// other answer, or the last transient one, with its body read.
    /// </summary>
    private S3Response Execute(S3Request request)
    {
        for (int attempt = 1; ; attempt++)
        {
            S3Response? response = null;
            Exception? failure = null;
            try
            {
                response = SendOnce(request, attempt);
            }
            catch (HttpRequestException e)
            {
                failure = e;
            }
            catch (TaskCanceledException e)
            {
                failure = e;
            }
            catch (IOException e)
            {
                failure = e;
            }

            if (response is not null && !IsTransient(request, response))
            {
                return response;
            }
            if (attempt >= _options.MaxAttempts)
            {
                return response ?? throw Unreachable(request, failure!);
            }
            double ceiling = Math.Min(_options.MaxRetryDelay.TotalMilliseconds, _options.BaseRetryDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
            Thread.Sleep(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling));
        }
    }

    private static bool IsTransient(S3Request request, S3Response response)
    {
        int status = (int)response.Status;
        if (status >= 500 || status is 408 or 429)
        {
            return true;
        }
        string? code = response.ErrorCode();
        return code is "SlowDown" or "RequestTimeout"
            // A conditional write racing another on the same key: S3 asks for a retry, which then sees the winner.
            || (request.IfNoneMatchAny && status == 409 && code == "ConditionalRequestConflict");
    }

    private QueryException Unreachable(S3Request request, Exception failure)
    {
        // A timeout's own text names the limit that elapsed (HttpClient.Timeout or ConnectTimeout); its inner one does not.
        string reason = failure is TaskCanceledException ? failure.Message : Innermost(failure).Message;
        return failure is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }
            || failure is TaskCanceledException
            ? new QueryException(ErrorKind.Io, $"cannot reach S3 endpoint {_origin} for {request.Name}: {reason}", failure)
            : new QueryException(ErrorKind.Io, $"cannot {request.Verb} {request.Name}: the request to S3 endpoint {_origin} failed: {reason}", failure);
    }

    private static Exception Innermost(Exception e)
    {
        // HttpRequestException's own text is the useful one ("Connection refused (127.0.0.1:1)"); deeper ones repeat it.
        return e is HttpRequestException || e.InnerException is null ? e : Innermost(e.InnerException);
    }

    private S3Response SendOnce(S3Request request, int attempt)
    {
        string uriText = _origin + _bucketPath
            + (request.FullKey is null ? (_bucketPath.Length == 0 ? "/" : "") : "/" + SigV4Signer.UriEncode(request.FullKey, encodeSlash: false))
            + (request.Query.Length == 0 ? "" : "?" + request.Query);
        using HttpRequestMessage message = new(request.Method, new Uri(uriText, VerbatimUri));
        string payloadSha256 = SigV4Signer.EmptyPayloadSha256;
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body, request.BodyOffset, request.BodyLength);
            payloadSha256 = SigV4Signer.Sha256Hex(request.Body.AsSpan(request.BodyOffset, request.BodyLength));
        }
        if (request.Range is (long first, long last))
        {
            message.Headers.Range = new RangeHeaderValue(first, last);
        }
        if (request.IfNoneMatchAny)
        {
            message.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        }
        _signer.Sign(message, payloadSha256, DateTimeOffset.UtcNow);

        using HttpResponseMessage response = _http.Send(message, HttpCompletionOption.ResponseContentRead);
        byte[] body;
        using (Stream stream = response.Content.ReadAsStream())
        using (MemoryStream buffer = new())
        {
            stream.CopyTo(buffer);
            body = buffer.ToArray();
        }
        string? etag = response.Headers.NonValidated.TryGetValues("ETag", out HeaderStringValues etags) ? etags.ToString() : null;
        return new S3Response(response.StatusCode, body, attempt)
        {
            ETag = etag,
            ContentRange = response.Content.Headers.ContentRange,
            ContentLength = response.Content.Headers.ContentLength,
            LastModified = response.Content.Headers.LastModified,
        };
    }

    private QueryException Failure(string verb, string name, S3Response response)
    {
        int status = (int)response.Status;
        string? code = response.ErrorCode();
        string answer = code is null ? status.ToString(CultureInfo.InvariantCulture) : $"{status.ToString(CultureInfo.InvariantCulture)} {code}";
        if (response.Status == HttpStatusCode.Forbidden)
        {
            return new QueryException(ErrorKind.Io, $"cannot {verb} {name}: access denied ({answer}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY");
        }
        if (code == "NoSuchBucket")
        {
            return new QueryException(ErrorKind.Io, $"cannot {verb} {name}: the bucket \"{_options.Bucket}\" does not exist ({answer})");
        }
        string? detail = response.ErrorMessage();
        return new QueryException(ErrorKind.Io, detail is null
            ? $"cannot {verb} {name}: S3 answered {answer}"
            : $"cannot {verb} {name}: S3 answered {answer}: {detail}");
    }

    private static XDocument ParseXml(string name, byte[] body)
    {
        try
        {
            using MemoryStream stream = new(body, writable: false);
            return XDocument.Load(stream);
        }
        catch (XmlException e)
        {
            throw new QueryException(ErrorKind.Io, $"cannot read the S3 answer for {name}: malformed XML ({e.Message})", e);
        }
    }

    private static string? Child(XElement element, string localName)
    {
        foreach (XElement child in element.Elements())
        {
            if (child.Name.LocalName == localName)
            {
                return child.Value;
            }
        }
        return null;
    }

    /// <summary>One request as the store means it; built anew (and signed anew) for every attempt.</summary>
    private sealed record S3Request(HttpMethod Method, string Verb, string Name, string? FullKey)
    {
        /// <summary>Already encoded (<see cref="SigV4Signer.UriEncode"/>).</summary>
        public string Query { get; init; } = "";

        public byte[]? Body { get; init; }

        public int BodyOffset { get; init; }

        public int BodyLength { get; init; }

        public (long First, long Last)? Range { get; init; }

        public bool IfNoneMatchAny { get; init; }
    }

    /// <summary>An answer with its body read, so a failure while reading is retried like a failed request.</summary>
    private sealed record S3Response(HttpStatusCode Status, byte[] Body, int Attempts)
    {
        public string? ETag { get; init; }

        public ContentRangeHeaderValue? ContentRange { get; init; }

        public long? ContentLength { get; init; }

        public DateTimeOffset? LastModified { get; init; }

        public bool IsSuccess => (int)Status is >= 200 and < 300;

        /// <summary>The <c>Code</c> of an S3 error document, or null when the body is not one.</summary>
        public string? ErrorCode() => ErrorField("Code");

        public string? ErrorMessage() => ErrorField("Message");

        private string? ErrorField(string field)
        {
            if (Body.Length == 0 || IsSuccess)
            {
                return null;
            }
            try
            {
                using MemoryStream stream = new(Body, writable: false);
                XElement? root = XDocument.Load(stream).Root;
                return root?.Name.LocalName == "Error" ? Child(root, field) : null;
            }
            catch (XmlException)
            {
                return null;
            }
        }
    }
}
