using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Analytics.Engine.Storage.ObjectStore.S3;

/// <summary>The access key pair (and, for temporary credentials, the session token) requests are signed with.</summary>
internal sealed record S3Credentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null);

/// <summary>The intermediate texts of one signature, kept so tests can compare them with AWS's documented examples.</summary>
internal readonly record struct SigV4Signature(string CanonicalRequest, string StringToSign, string SignedHeaders, string Signature, string Authorization);

/// <summary>
/// AWS Signature Version 4 for S3 requests sent with the Authorization header. Signs the host and every header set on
/// the request (not content headers: the transport may rewrite those), with the real SHA-256 of the payload in
/// <c>x-amz-content-sha256</c> — never aws-chunked encoding, which S3-compatible servers store verbatim.
/// </summary>
internal sealed class SigV4Signer(S3Credentials credentials, string region, string service = "s3")
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The SHA-256 of an empty payload (every request without a body).</summary>
    public const string EmptyPayloadSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static string Sha256Hex(ReadOnlySpan<byte> payload)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(payload, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Adds <c>x-amz-date</c>, <c>x-amz-content-sha256</c>, <c>x-amz-security-token</c> (with a session token) and
    /// <c>Authorization</c> to the request. Its URI must already be encoded the S3 way (<see cref="UriEncode"/>).
    /// </summary>
    public SigV4Signature Sign(HttpRequestMessage request, string payloadSha256, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        Uri uri = request.RequestUri ?? throw new ArgumentException("the request has no URI", nameof(request));
        string timestamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string date = timestamp[..8];

        request.Headers.Remove("x-amz-date");
        request.Headers.Remove("x-amz-content-sha256");
        request.Headers.Remove("x-amz-security-token");
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("x-amz-date", timestamp);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadSha256);
        if (credentials.SessionToken is { Length: > 0 } token)
        {
            request.Headers.TryAddWithoutValidation("x-amz-security-token", token);
        }

        SortedDictionary<string, string> headers = new(StringComparer.Ordinal)
        {
            ["host"] = request.Headers.Host ?? (uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}"),
        };
        foreach (KeyValuePair<string, HeaderStringValues> header in request.Headers.NonValidated)
        {
            string name = header.Key.ToLowerInvariant();
            if (name != "host")
            {
                headers[name] = CanonicalHeaderValue(string.Join(',', header.Value));
            }
        }

        StringBuilder canonical = new();
        canonical.Append(request.Method.Method).Append('\n');
        canonical.Append(uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath).Append('\n');
        canonical.Append(CanonicalQuery(uri.Query)).Append('\n');
        foreach (KeyValuePair<string, string> header in headers)
        {
            canonical.Append(header.Key).Append(':').Append(header.Value).Append('\n');
        }
        canonical.Append('\n');
        string signedHeaders = string.Join(';', headers.Keys);
        canonical.Append(signedHeaders).Append('\n');
        canonical.Append(payloadSha256);
        string canonicalRequest = canonical.ToString();

        string scope = $"{date}/{region}/{service}/aws4_request";
        string stringToSign = $"{Algorithm}\n{timestamp}\n{scope}\n{Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest))}";

        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        string authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return new SigV4Signature(canonicalRequest, stringToSign, signedHeaders, signature, authorization);
    }

    /// <summary>Trimmed, with runs of spaces collapsed to one (SigV4's canonical header value).</summary>
    private static string CanonicalHeaderValue(string value)
    {
        string trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal))
        {
            return trimmed;
        }
        StringBuilder collapsed = new(trimmed.Length);
        foreach (char c in trimmed)
        {
            if (c != ' ' || collapsed.Length == 0 || collapsed[^1] != ' ')
            {
                collapsed.Append(c);
            }
        }
        return collapsed.ToString();
    }

    /// <summary>Parameters sorted by name then value, each re-encoded the SigV4 way; a bare name gets an empty value.</summary>
    private static string CanonicalQuery(string query)
    {
        if (query.Length <= 1)
        {
            return "";
        }
        List<(string Name, string Value)> parameters = [];
        foreach (string pair in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? pair : pair[..equals];
            string value = equals < 0 ? "" : pair[(equals + 1)..];
            parameters.Add((UriEncode(Uri.UnescapeDataString(name), encodeSlash: true), UriEncode(Uri.UnescapeDataString(value), encodeSlash: true)));
        }
        parameters.Sort(static (a, b) =>
        {
            int byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        StringBuilder canonical = new();
        foreach ((string name, string value) in parameters)
        {
            if (canonical.Length > 0)
            {
                canonical.Append('&');
            }
            canonical.Append(name).Append('=').Append(value);
        }
        return canonical.ToString();
    }

    /// <summary>
    /// Percent-encodes every UTF-8 byte except the unreserved characters (A-Z a-z 0-9 - _ . ~), with upper-case hex:
    /// the encoding S3 expects in paths (with '/' kept) and query strings.
    /// </summary>
    public static string UriEncode(string text, bool encodeSlash)
    {
        StringBuilder encoded = new(text.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (c == '/' && !encodeSlash))
            {
                encoded.Append(c);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return encoded.ToString();
    }
}
