using System.Net;
using System.Text;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Engine.Storage.ObjectStore.S3;
using Analytics.Errors;
using Xunit;

namespace Analytics.Engine.Tests.Storage.S3;

/// <summary>The S3 store's protocol handling against a scripted in-process server: retries, conditions, ranges, paging, multipart.</summary>
public sealed class S3ObjectStoreTests
{
    private static S3StoreOptions Options(int maxAttempts = 3) => new()
    {
        Bucket = "bucket",
        Prefix = "db",
        Credentials = new S3Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        Endpoint = new Uri("http://127.0.0.1:9000"),
        PathStyle = true,
        MaxAttempts = maxAttempts,
        BaseRetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(2),
        PartSize = S3StoreOptions.MinimumPartSize,
        MultipartThreshold = S3StoreOptions.MinimumPartSize,
    };

    private static byte[] Bytes(int length, int seed = 7)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void PutRetries503ThenSucceedsWithTheSameSignedBody()
    {
        ScriptedS3Handler server = new ScriptedS3Handler().ReplyError(HttpStatusCode.ServiceUnavailable, "SlowDown").Reply(HttpStatusCode.OK);
        using S3ObjectStore store = new(Options(), server);
        byte[] content = Encoding.UTF8.GetBytes("segment bytes");

        store.Put("t/part-1", content);

        Assert.Equal(2, server.Requests.Count);
        foreach (RecordedRequest request in server.Requests)
        {
            Assert.Equal(HttpMethod.Put, request.Method);
            Assert.Equal("/bucket/db/t/part-1", request.PathAndQuery);
            Assert.Equal(content, request.Body);
            Assert.Equal(SigV4Signer.Sha256Hex(content), request.Header("x-amz-content-sha256"));
            Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/", request.Header("Authorization"), StringComparison.Ordinal);
            Assert.Null(request.Header("If-None-Match"));
        }
    }

    [Theory]
    [InlineData("t/a b$é+=(1).json", null)]
    [InlineData("_manifest/00000001", "*")]
    public void SignatureCoversTheRequestExactlyAsSent(string key, string? ifNoneMatch)
    {
        ScriptedS3Handler server = new ScriptedS3Handler().Reply(HttpStatusCode.OK).Reply(HttpStatusCode.PartialContent, [5, 6],
            ScriptedS3Handler.ContentRange(3, 4, 10));
        S3StoreOptions options = Options() with { Credentials = new S3Credentials("AKIAIOSFODNN7EXAMPLE", "secret", "token") };
        using S3ObjectStore store = new(options, server);
        byte[] content = Encoding.UTF8.GetBytes("payload");

        if (ifNoneMatch is null)
        {
            store.Put(key, content);
        }
        else
        {
            Assert.True(store.PutIfAbsent(key, content));
        }
        store.ReadRange(key, 3, new byte[2]);

        // Re-sign what went over the wire, parsed the ordinary way, as a server would: the signatures must agree.
        SigV4Signer signer = new(options.Credentials, options.Region);
        foreach (RecordedRequest sent in server.Requests)
        {
            using HttpRequestMessage replay = new(sent.Method, new Uri(sent.Uri.AbsoluteUri));
            foreach ((string name, string value) in sent.Headers)
            {
                if (name is not ("authorization" or "x-amz-date" or "x-amz-content-sha256" or "x-amz-security-token"))
                {
                    replay.Headers.TryAddWithoutValidation(name, value);
                }
            }
            DateTimeOffset signedAt = DateTimeOffset.ParseExact(sent.Header("x-amz-date")!, "yyyyMMdd'T'HHmmss'Z'",
                System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
            Assert.Equal(sent.Header("Authorization"), signer.Sign(replay, sent.Header("x-amz-content-sha256")!, signedAt).Authorization);
            Assert.Equal("token", sent.Header("x-amz-security-token"));
        }
        Assert.Equal(ifNoneMatch, server.Requests[0].Header("If-None-Match"));
        Assert.Equal("/bucket/db/" + SigV4Signer.UriEncode(key, encodeSlash: false), server.Requests[0].Uri.AbsolutePath);
    }

    [Fact]
    public void PersistentServerErrorsStopAfterMaxAttemptsWithTheS3Code()
    {
        ScriptedS3Handler server = new();
        for (int i = 0; i < 3; i++)
        {
            server.ReplyError(HttpStatusCode.InternalServerError, "InternalError", "We encountered an internal error.");
        }
        using S3ObjectStore store = new(Options(maxAttempts: 3), server);

        QueryException error = Assert.Throws<QueryException>(() => store.TryGet("k"));

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal("IO Error: cannot read s3://bucket/db/k: S3 answered 500 InternalError: We encountered an internal error.", error.Message);
    }

    [Fact]
    public void ClientErrorsAreNotRetried()
    {
        ScriptedS3Handler server = new ScriptedS3Handler().ReplyError(HttpStatusCode.BadRequest, "InvalidArgument", "bad");
        using S3ObjectStore store = new(Options(), server);

        QueryException error = Assert.Throws<QueryException>(() => store.Put("k", [1, 2, 3]));

        Assert.Single(server.Requests);
        Assert.Equal("IO Error: cannot write s3://bucket/db/k: S3 answered 400 InvalidArgument: bad", error.Message);
    }

    [Fact]
    public void TooManyRequestsIsRetried()
    {
        ScriptedS3Handler server = new ScriptedS3Handler().Reply(HttpStatusCode.TooManyRequests).Reply(HttpStatusCode.NoContent);
        using S3ObjectStore store = new(Options(), server);

        store.Delete("k");

        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, static r => Assert.Equal(HttpMethod.Delete, r.Method));
    }

    [Fact]
    public void ConnectionFailuresAreRetriedThenReportedAsUnreachable()
    {
        ScriptedS3Handler server = new();
        for (int i = 0; i < 3; i++)
        {
            server.Throw(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:9000)"));
        }
        using S3ObjectStore store = new(Options(), server);

        QueryException error = Assert.Throws<QueryException>(() => store.Head("k"));

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal("IO Error: cannot reach S3 endpoint http://127.0.0.1:9000 for s3://bucket/db/k: Connection refused (127.0.0.1:9000)", error.Message);
    }

    [Fact]
    public void ServerThatNeverAnswersTimesOutAfterTheRetriesInsteadOfHanging()
    {
        // A listener on 127.0.0.1 that accepts connections and never answers them.
        using System.Net.Sockets.TcpListener silent = new(IPAddress.Loopback, 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using S3ObjectStore store = new(Options(maxAttempts: 2) with
        {
            Endpoint = new Uri($"http://127.0.0.1:{port}"),
            RequestTimeout = TimeSpan.FromMilliseconds(300),
        });
        System.Diagnostics.Stopwatch elapsed = System.Diagnostics.Stopwatch.StartNew();

        QueryException error = Assert.Throws<QueryException>(() => store.TryGet("k"));

        Assert.Equal(
            $"IO Error: cannot reach S3 endpoint http://127.0.0.1:{port} for s3://bucket/db/k: The request was canceled due to the configured HttpClient.Timeout of 0.3 seconds elapsing.",
            error.Message);
        Assert.InRange(elapsed.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void PutIfAbsentSendsIfNoneMatchAndReturnsFalseOn412()
    {
        ScriptedS3Handler server = new ScriptedS3Handler().ReplyError(HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        using S3ObjectStore store = new(Options(), server);

        Assert.False(store.PutIfAbsent("_manifest/00000002", [1]));

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("*", request.Header("If-None-Match"));
        Assert.Equal("/bucket/db/_manifest/00000002", request.PathAndQuery);
    }

    [Fact]
    public void PutIfAbsentReturnsTrueOnSuccess()
    {
        ScriptedS3Handler server = new ScriptedS3Handler().Reply(HttpStatusCode.OK);
        using S3ObjectStore store = new(Options(), server);

        Assert.True(store.PutIfAbsent("m", [1]));
    }

    [Fact]
    public void PutIfAbsentRetriedAfterALostAnswerRecognisesItsOwnWrite()
    {
        byte[] content = Encoding.UTF8.GetBytes("manifest v2");
        ScriptedS3Handler server = new ScriptedS3Handler()
            .Reply(HttpStatusCode.BadGateway)
            .ReplyError(HttpStatusCode.PreconditionFailed, "PreconditionFailed")
            .Reply(HttpStatusCode.OK, content);
        using S3ObjectStore store = new(Options(), server);

        Assert.True(store.PutIfAbsent("m", content));
        Assert.Equal([HttpMethod.Put, HttpMethod.Put, HttpMethod.Get], server.Requests.Select(static r => r.Method));
    }

    [Fact]
    public void PutIfAbsentRetriedAfterALostAnswerLosesToADifferentWriter()
    {
        ScriptedS3Handler server = new ScriptedS3Handler()
            .Reply(HttpStatusCode.BadGateway)
            .ReplyError(HttpStatusCode.PreconditionFailed, "PreconditionFailed")
            .Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes("the other writer's manifest"));
        using S3ObjectStore store = new(Options(), server);

        Assert.False(store.PutIfAbsent("m", Encoding.UTF8.GetBytes("manifest v2")));
    }

    [Fact]
    public void AccessDeniedNamesTheObjectAndTheCredentialVariables()
    {
        ScriptedS3Handler server = new ScriptedS3Handler().ReplyError(HttpStatusCode.Forbidden, "AccessDenied", "Access Denied");
        using S3ObjectStore store = new(Options(), server);

        QueryException error = Assert.Throws<QueryException>(() => store.TryGet("t/seg"));

        Assert.Single(server.Requests);
        Assert.Equal(ErrorKind.Io, error.Kind);
        Assert.Equal(
            "IO Error: cannot read s3://bucket/db/t/seg: access denied (403 AccessDenied): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
            error.Message);
    }

    [Fact]
    public void MissingObjectIsNullButMissingBucketIsAnError()
    {
        ScriptedS3Handler server = new ScriptedS3Handler()
            .ReplyError(HttpStatusCode.NotFound, "NoSuchKey")
            .Reply(HttpStatusCode.NotFound)
            .ReplyError(HttpStatusCode.NotFound, "NoSuchBucket", "The specified bucket does not exist");
        using S3ObjectStore store = new(Options(), server);

        Assert.Null(store.TryGet("a"));
        Assert.Null(store.Head("a"));
        QueryException error = Assert.Throws<QueryException>(() => store.TryGet("a"));
        Assert.Equal("IO Error: cannot read s3://bucket/db/a: the bucket \"bucket\" does not exist (404 NoSuchBucket)", error.Message);
    }

    [Fact]
    public void ReadRangeSendsAnExplicitRangeAndCopiesTheBytes()
    {
        byte[] content = Bytes(100);
        ScriptedS3Handler server = new ScriptedS3Handler()
            .Reply(HttpStatusCode.PartialContent, content[10..20], ScriptedS3Handler.ContentRange(10, 19, 100));
        using S3ObjectStore store = new(Options(), server);
        byte[] destination = new byte[10];

        store.ReadRange("seg", 10, destination);

        Assert.Equal(content[10..20], destination);
        Assert.Equal("bytes=10-19", Assert.Single(server.Requests).Header("Range"));
    }

    [Fact]
    public void ReadRangeOfAServerThatIgnoresRangeSlicesTheWholeObject()
    {
        byte[] content = Bytes(100);
        ScriptedS3Handler server = new ScriptedS3Handler().Reply(HttpStatusCode.OK, content);
        using S3ObjectStore store = new(Options(), server);
        byte[] destination = new byte[5];

        store.ReadRange("seg", 95, destination);

        Assert.Equal(content[95..], destination);
    }

    [Fact]
    public void ShortRangeAnswerIsATruncationError()
    {
        ScriptedS3Handler server = new ScriptedS3Handler()
            .Reply(HttpStatusCode.PartialContent, Bytes(5), ScriptedS3Handler.ContentRange(10, 14, 15));
        using S3ObjectStore store = new(Options(), server);

        QueryException error = Assert.Throws<QueryException>(() => store.ReadRange("seg", 10, new byte[10]));

        Assert.Equal("IO Error: \"s3://bucket/db/seg\" is truncated: 10 bytes at offset 10 requested, the object ends at 15", error.Message);
    }

    [Fact]
    public void RangeNotSatisfiableIsATruncationError()
    {
        ScriptedS3Handler server = new ScriptedS3Handler().Reply(HttpStatusCode.RequestedRangeNotSatisfiable, null,
            static r => r.Content.Headers.ContentRange = new System.Net.Http.Headers.ContentRangeHeaderValue(8));
        using S3ObjectStore store = new(Options(), server);

        QueryException error = Assert.Throws<QueryException>(() => store.ReadRange("seg", 10, new byte[4]));

        Assert.Equal("IO Error: \"s3://bucket/db/seg\" is truncated: 4 bytes at offset 10 requested, the object ends at 8", error.Message);
    }

    [Fact]
    public void RangeAnswerFromTheWrongOffsetIsRejected()
    {
        // s3rver's suffix-range bug in the other direction: bytes from the start instead of the ones asked for.
        ScriptedS3Handler server = new ScriptedS3Handler()
            .Reply(HttpStatusCode.PartialContent, Bytes(8), ScriptedS3Handler.ContentRange(0, 7, 100));
        using S3ObjectStore store = new(Options(), server);

        QueryException error = Assert.Throws<QueryException>(() => store.ReadRange("seg", 92, new byte[8]));

        Assert.Equal("IO Error: cannot read s3://bucket/db/seg: the S3 server returned bytes from offset 0 for range bytes=92-99", error.Message);
    }

    [Fact]
    public void RangeAnswerWhoseLengthDisagreesWithContentRangeIsRejected()
    {
        ScriptedS3Handler server = new ScriptedS3Handler()
            .Reply(HttpStatusCode.PartialContent, Bytes(3), ScriptedS3Handler.ContentRange(0, 7, 100));
        using S3ObjectStore store = new(Options(), server);

        QueryException error = Assert.Throws<QueryException>(() => store.ReadRange("seg", 0, new byte[8]));

        Assert.Equal("IO Error: cannot read s3://bucket/db/seg: the S3 server answered range bytes=0-7 with Content-Range \"bytes 0-7/100\" and 3 bytes", error.Message);
    }

    [Fact]
    public void ListFollowsContinuationTokensAndReturnsSortedRelativeKeys()
    {
        const string page1 = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name><Prefix>db/t/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
              <NextContinuationToken>token+/=1</NextContinuationToken>
              <Contents><Key>db/t/b</Key><LastModified>2026-11-01T10:00:00.000Z</LastModified><Size>12</Size></Contents>
              <Contents><Key>db/t/a</Key><LastModified>2026-11-01T09:00:00.000Z</LastModified><Size>0</Size></Contents>
            </ListBucketResult>
            """;
        const string page2 = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <IsTruncated>false</IsTruncated>
              <Contents><Key>db/t/Z</Key><LastModified>2026-11-01T11:00:00.000Z</LastModified><Size>3</Size></Contents>
            </ListBucketResult>
            """;
        ScriptedS3Handler server = new ScriptedS3Handler()
            .Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes(page1))
            .Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes(page2));
        using S3ObjectStore store = new(Options() with { ListPageSize = 2 }, server);

        IReadOnlyList<ObjectInfo> objects = store.List("t/");

        Assert.Equal(
            [
                new ObjectInfo("t/Z", 3, new DateTimeOffset(2026, 11, 1, 11, 0, 0, TimeSpan.Zero)),
                new ObjectInfo("t/a", 0, new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero)),
                new ObjectInfo("t/b", 12, new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero)),
            ],
            objects);
        Assert.Equal("/bucket?list-type=2&prefix=db%2Ft%2F&max-keys=2", server.Requests[0].PathAndQuery);
        Assert.Equal("/bucket?list-type=2&prefix=db%2Ft%2F&max-keys=2&continuation-token=token%2B%2F%3D1", server.Requests[1].PathAndQuery);
    }

    [Fact]
    public void TruncatedListingWithoutTokenIsAnError()
    {
        ScriptedS3Handler server = new ScriptedS3Handler().Reply(HttpStatusCode.OK,
            Encoding.UTF8.GetBytes("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"));
        using S3ObjectStore store = new(Options(), server);

        QueryException error = Assert.Throws<QueryException>(() => store.List(""));

        Assert.Equal("IO Error: cannot list s3://bucket/db/: the S3 server truncated the listing without a continuation token", error.Message);
    }

    [Fact]
    public void LargePutIsAMultipartUploadOfOrderedParts()
    {
        byte[] content = Bytes(11 * 1024 * 1024);
        ScriptedS3Handler server = new ScriptedS3Handler()
            .Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes(
                "<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>db/big</Key><UploadId>up/1+x</UploadId></InitiateMultipartUploadResult>"))
            .Reply(HttpStatusCode.OK, null, ScriptedS3Handler.ETag("\"e1\""))
            .Reply(HttpStatusCode.OK, null, ScriptedS3Handler.ETag("\"e2\""))
            .Reply(HttpStatusCode.OK, null, ScriptedS3Handler.ETag("\"e3\""))
            .Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes("<CompleteMultipartUploadResult><Key>db/big</Key></CompleteMultipartUploadResult>"));
        using S3ObjectStore store = new(Options(), server);

        store.Put("big", content);

        Assert.Equal(
            [
                "POST /bucket/db/big?uploads",
                "PUT /bucket/db/big?partNumber=1&uploadId=up%2F1%2Bx",
                "PUT /bucket/db/big?partNumber=2&uploadId=up%2F1%2Bx",
                "PUT /bucket/db/big?partNumber=3&uploadId=up%2F1%2Bx",
                "POST /bucket/db/big?uploadId=up%2F1%2Bx",
            ],
            server.Requests.Select(static r => $"{r.Method} {r.PathAndQuery}"));
        int part = S3StoreOptions.MinimumPartSize;
        Assert.Equal(content[..part], server.Requests[1].Body);
        Assert.Equal(content[part..(2 * part)], server.Requests[2].Body);
        Assert.Equal(content[(2 * part)..], server.Requests[3].Body);
        Assert.Equal(SigV4Signer.Sha256Hex(content[(2 * part)..]), server.Requests[3].Header("x-amz-content-sha256"));
        Assert.Equal(
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"
            + "<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part>"
            + "<Part><PartNumber>3</PartNumber><ETag>\"e3\"</ETag></Part>"
            + "</CompleteMultipartUpload>",
            Encoding.UTF8.GetString(server.Requests[4].Body));
    }

    [Fact]
    public void FailedPartAbortsTheMultipartUpload()
    {
        ScriptedS3Handler server = new ScriptedS3Handler()
            .Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes("<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"))
            .Reply(HttpStatusCode.OK, null, ScriptedS3Handler.ETag("\"e1\""))
            .ReplyError(HttpStatusCode.BadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
            .Reply(HttpStatusCode.NoContent);
        using S3ObjectStore store = new(Options(), server);

        QueryException error = Assert.Throws<QueryException>(() => store.Put("big", Bytes(11 * 1024 * 1024)));

        Assert.Equal("IO Error: cannot write s3://bucket/db/big: S3 answered 400 EntityTooSmall: Your proposed upload is smaller than the minimum allowed size", error.Message);
        Assert.Equal("DELETE /bucket/db/big?uploadId=u1", $"{server.Requests[^1].Method} {server.Requests[^1].PathAndQuery}");
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public void CompletionFailingInsideA200IsAnErrorAndAborts()
    {
        ScriptedS3Handler server = new ScriptedS3Handler()
            .Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes("<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"))
            .Reply(HttpStatusCode.OK, null, ScriptedS3Handler.ETag("\"e1\""))
            .Reply(HttpStatusCode.OK, null, ScriptedS3Handler.ETag("\"e2\""))
            .Reply(HttpStatusCode.OK, null, ScriptedS3Handler.ETag("\"e3\""))
            .Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes("<Error><Code>InternalError</Code><Message>try again</Message></Error>"))
            .Reply(HttpStatusCode.NoContent);
        using S3ObjectStore store = new(Options(), server);

        QueryException error = Assert.Throws<QueryException>(() => store.Put("big", Bytes(11 * 1024 * 1024)));

        Assert.Equal("IO Error: cannot write s3://bucket/db/big: S3 failed to complete the multipart upload: InternalError: try again", error.Message);
        Assert.Equal(HttpMethod.Delete, server.Requests[^1].Method);
    }

    [Fact]
    public void VirtualHostAddressingPutsTheBucketInTheHostName()
    {
        ScriptedS3Handler server = new ScriptedS3Handler().Reply(HttpStatusCode.OK, [1, 2]).Reply(HttpStatusCode.OK,
            Encoding.UTF8.GetBytes("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"));
        using S3ObjectStore store = new(Options() with { Endpoint = null, PathStyle = false, Region = "eu-central-1" }, server);

        Assert.Equal([1, 2], store.TryGet("x y"));
        Assert.Empty(store.List("p"));

        Assert.Equal("https://bucket.s3.eu-central-1.amazonaws.com/db/x%20y", server.Requests[0].Uri.AbsoluteUri);
        Assert.Equal("https://bucket.s3.eu-central-1.amazonaws.com/?list-type=2&prefix=db%2Fp", server.Requests[1].Uri.AbsoluteUri);
        Assert.Contains("/eu-central-1/s3/aws4_request", server.Requests[0].Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public void KeysThatWouldBeRewrittenAreRejected()
    {
        using S3ObjectStore store = new(Options(), new ScriptedS3Handler());

        Assert.Throws<ArgumentException>(() => store.Put("a/../b", [1]));
        Assert.Throws<ArgumentException>(() => store.Put("/a", [1]));
        Assert.Throws<ArgumentException>(() => store.Put("", [1]));
    }

    [Fact]
    public void OptionsFromTheEnvironmentFollowTheAwsTools()
    {
        Dictionary<string, string> env = new(StringComparer.Ordinal)
        {
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1",
            ["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:4568",
            ["AWS_DEFAULT_REGION"] = "eu-west-2",
            ["AWS_ACCESS_KEY_ID"] = "id",
            ["AWS_SECRET_ACCESS_KEY"] = "secret",
            ["AWS_SESSION_TOKEN"] = "token",
        };

        S3StoreOptions options = S3StoreOptions.FromUri("s3://my-bucket/some/prefix/", env.GetValueOrDefault);

        Assert.Equal("my-bucket", options.Bucket);
        Assert.Equal("some/prefix", options.Prefix);
        Assert.Equal("s3://my-bucket/some/prefix", options.Location);
        Assert.Equal(new Uri("http://127.0.0.1:4568"), options.Endpoint);
        Assert.Equal("eu-west-2", options.Region);
        Assert.True(options.PathStyle);
        Assert.Equal(new S3Credentials("id", "secret", "token"), options.Credentials);

        env["AWS_REGION"] = "ap-south-1";
        env["AWS_S3_FORCE_PATH_STYLE"] = "false";
        options = S3StoreOptions.FromUri("s3://my-bucket", env.GetValueOrDefault);
        Assert.Equal("ap-south-1", options.Region);
        Assert.False(options.PathStyle);
        Assert.Equal("", options.Prefix);

        env.Remove("AWS_ENDPOINT_URL");
        env.Remove("AWS_ENDPOINT_URL_S3");
        env.Remove("AWS_REGION");
        env.Remove("AWS_DEFAULT_REGION");
        env.Remove("AWS_S3_FORCE_PATH_STYLE");
        options = S3StoreOptions.FromUri("s3://my-bucket/p", env.GetValueOrDefault);
        Assert.Null(options.Endpoint);
        Assert.False(options.PathStyle);
        Assert.Equal("us-east-1", options.Region);
        Assert.True(S3StoreOptions.FromUri("s3://logs.example.com/p", env.GetValueOrDefault).PathStyle);

        env["AWS_ENDPOINT_URL"] = "ftp://127.0.0.1";
        QueryException error = Assert.Throws<QueryException>(() => S3StoreOptions.FromUri("s3://my-bucket", env.GetValueOrDefault));
        Assert.Equal("IO Error: cannot open s3://my-bucket: the S3 endpoint \"ftp://127.0.0.1\" (AWS_ENDPOINT_URL) is not an http:// or https:// URL", error.Message);
        env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9000";
        env["AWS_S3_FORCE_PATH_STYLE"] = "maybe";
        error = Assert.Throws<QueryException>(() => S3StoreOptions.FromUri("s3://my-bucket", env.GetValueOrDefault));
        Assert.Equal("IO Error: cannot open s3://my-bucket: AWS_S3_FORCE_PATH_STYLE must be true or false, not \"maybe\"", error.Message);
    }

    [Fact]
    public void MissingCredentialsNameTheVariables()
    {
        QueryException error = Assert.Throws<QueryException>(() => S3StoreOptions.FromUri("s3://bucket/db", static _ => null));

        Assert.Equal(
            "IO Error: cannot open s3://bucket/db: no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)",
            error.Message);
    }

    [Theory]
    [InlineData("s3://", "IO Error: \"s3://\": \"\" is not a valid S3 bucket name (3-63 characters: lower-case letters, digits, '.', '-')")]
    [InlineData("s3://Bad_Bucket/x", "IO Error: \"s3://Bad_Bucket/x\": \"Bad_Bucket\" is not a valid S3 bucket name (3-63 characters: lower-case letters, digits, '.', '-')")]
    public void MalformedUrisAreRejected(string uri, string message)
    {
        QueryException error = Assert.Throws<QueryException>(() => S3StoreOptions.FromUri(uri, static _ => "x"));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void PartsSmallerThanS3sMinimumAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new S3ObjectStore(Options() with { PartSize = 1024 }, new ScriptedS3Handler()));
    }
}
