using System.Text;
using Analytics.Engine.Storage.ObjectStore.S3;
using Xunit;

namespace Analytics.Engine.Tests.Storage.S3;

/// <summary>
/// The signer against AWS's published examples ("Examples: Signature Calculations in AWS Signature Version 4",
/// Authenticating Requests: Using the Authorization Header): s3rver checks no SigV4 signature, so these vectors are
/// the only proof that a real S3 would accept our requests.
/// </summary>
public sealed class SigV4SignerTests
{
    private static readonly SigV4Signer s_exampleSigner =
        new(new S3Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "us-east-1");

    private static readonly DateTimeOffset s_exampleTime = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GetObjectExampleWithRangeMatchesTheDocumentedCanonicalRequestAndSignature()
    {
        using HttpRequestMessage request = new(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/test.txt");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 9);

        SigV4Signature signature = s_exampleSigner.Sign(request, SigV4Signer.EmptyPayloadSha256, s_exampleTime);

        Assert.Equal(
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            + "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            + "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            signature.CanonicalRequest);
        Assert.Equal(
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            + "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
            signature.StringToSign);
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", signature.Signature);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            Assert.Single(request.Headers.GetValues("Authorization")));
        Assert.Equal("20130524T000000Z", Assert.Single(request.Headers.GetValues("x-amz-date")));
        Assert.Equal(SigV4Signer.EmptyPayloadSha256, Assert.Single(request.Headers.GetValues("x-amz-content-sha256")));
        Assert.False(request.Headers.Contains("x-amz-security-token"));
    }

    [Fact]
    public void PutObjectExampleSignsThePayloadHashAndExtraHeaders()
    {
        byte[] payload = Encoding.UTF8.GetBytes("Welcome to Amazon S3.");
        string payloadSha256 = SigV4Signer.Sha256Hex(payload);
        Assert.Equal("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", payloadSha256);

        using HttpRequestMessage request = new(HttpMethod.Put,
            "https://examplebucket.s3.amazonaws.com/" + SigV4Signer.UriEncode("test$file.text", encodeSlash: false));
        request.Headers.TryAddWithoutValidation("Date", "Fri, 24 May 2013 00:00:00 GMT");
        request.Headers.TryAddWithoutValidation("x-amz-storage-class", "REDUCED_REDUNDANCY");
        request.Content = new ByteArrayContent(payload);

        SigV4Signature signature = s_exampleSigner.Sign(request, payloadSha256, s_exampleTime);

        Assert.StartsWith("PUT\n/test%24file.text\n\n", signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.Equal("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", signature.SignedHeaders);
        Assert.Equal("98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd", signature.Signature);
    }

    [Fact]
    public void GetBucketLifecycleExampleSignsAQueryParameterWithoutValue()
    {
        using HttpRequestMessage request = new(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/?lifecycle");

        SigV4Signature signature = s_exampleSigner.Sign(request, SigV4Signer.EmptyPayloadSha256, s_exampleTime);

        Assert.StartsWith("GET\n/\nlifecycle=\n", signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.Equal("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543", signature.Signature);
    }

    [Theory]
    [InlineData("max-keys=2&prefix=J")]
    [InlineData("prefix=J&max-keys=2")]
    public void ListObjectsExampleSortsTheQuery(string query)
    {
        using HttpRequestMessage request = new(HttpMethod.Get, "https://examplebucket.s3.amazonaws.com/?" + query);

        SigV4Signature signature = s_exampleSigner.Sign(request, SigV4Signer.EmptyPayloadSha256, s_exampleTime);

        Assert.StartsWith("GET\n/\nmax-keys=2&prefix=J\n", signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.Equal("host;x-amz-content-sha256;x-amz-date", signature.SignedHeaders);
        Assert.Equal("34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7", signature.Signature);
    }

    [Fact]
    public void SessionTokenIsSentAndSigned()
    {
        SigV4Signer signer = new(new S3Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "session-token-1"), "eu-west-1");
        using HttpRequestMessage request = new(HttpMethod.Get, "http://127.0.0.1:9000/bucket/a%20b?list-type=2&prefix=a%2Fb");

        SigV4Signature signature = signer.Sign(request, SigV4Signer.EmptyPayloadSha256, s_exampleTime);

        Assert.Equal("session-token-1", Assert.Single(request.Headers.GetValues("x-amz-security-token")));
        Assert.Equal("host;x-amz-content-sha256;x-amz-date;x-amz-security-token", signature.SignedHeaders);
        Assert.StartsWith("GET\n/bucket/a%20b\nlist-type=2&prefix=a%2Fb\nhost:127.0.0.1:9000\n", signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.Contains("\nx-amz-security-token:session-token-1\n", signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.Contains("Credential=AKIAIOSFODNN7EXAMPLE/20130524/eu-west-1/s3/aws4_request", signature.Authorization, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a-b_c.d~e", true, "a-b_c.d~e")]
    [InlineData("a b/c+d=é", true, "a%20b%2Fc%2Bd%3D%C3%A9")]
    [InlineData("db/_manifest/v 1.json", false, "db/_manifest/v%201.json")]
    public void UriEncodeKeepsOnlyUnreservedCharacters(string text, bool encodeSlash, string expected)
    {
        Assert.Equal(expected, SigV4Signer.UriEncode(text, encodeSlash));
    }
}
