using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Analytics.Engine.Tests.Storage.S3;

/// <summary>One request the store sent, captured before its message was disposed.</summary>
internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, byte[] Body)
{
    public string PathAndQuery => Uri.PathAndQuery;

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out string? value) ? value : null;
}

/// <summary>
/// A fake S3 server in-process: answers each request with the next scripted reply (or an exception) and records
/// what was sent. Implements the synchronous Send, which the store uses.
/// </summary>
internal sealed class ScriptedS3Handler : HttpMessageHandler
{
    private readonly Queue<Func<RecordedRequest, HttpResponseMessage>> _replies = new();

    public List<RecordedRequest> Requests { get; } = [];

    public ScriptedS3Handler Reply(Func<RecordedRequest, HttpResponseMessage> reply)
    {
        _replies.Enqueue(reply);
        return this;
    }

    public ScriptedS3Handler Reply(HttpStatusCode status, byte[]? body = null, Action<HttpResponseMessage>? configure = null) =>
        Reply(_ =>
        {
            HttpResponseMessage response = new(status) { Content = new ByteArrayContent(body ?? []) };
            configure?.Invoke(response);
            return response;
        });

    public ScriptedS3Handler ReplyError(HttpStatusCode status, string code, string message = "scripted failure") =>
        Reply(status, Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"));

    public ScriptedS3Handler Throw(Exception exception) => Reply(_ => throw exception);

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Dictionary<string, string> headers = new(StringComparer.Ordinal);
        foreach (KeyValuePair<string, HeaderStringValues> header in request.Headers.NonValidated)
        {
            headers[header.Key.ToLowerInvariant()] = header.Value.ToString();
        }
        byte[] body = [];
        if (request.Content is not null)
        {
            using Stream stream = request.Content.ReadAsStream(cancellationToken);
            using MemoryStream copy = new();
            stream.CopyTo(copy);
            body = copy.ToArray();
        }
        RecordedRequest recorded = new(request.Method, request.RequestUri!, headers, body);
        Requests.Add(recorded);
        if (_replies.Count == 0)
        {
            throw new InvalidOperationException($"unexpected request {request.Method} {request.RequestUri}");
        }
        HttpResponseMessage response = _replies.Dequeue()(recorded);
        response.RequestMessage = request;
        return response;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Send(request, cancellationToken));

    public static Action<HttpResponseMessage> ContentRange(long from, long to, long length) =>
        response => response.Content.Headers.ContentRange = new ContentRangeHeaderValue(from, to, length);

    public static Action<HttpResponseMessage> ETag(string etag) =>
        response => response.Headers.TryAddWithoutValidation("ETag", etag);
}
