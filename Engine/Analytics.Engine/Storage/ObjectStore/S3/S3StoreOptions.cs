using System.Globalization;
using Analytics.Errors;

namespace Analytics.Engine.Storage.ObjectStore.S3;

/// <summary>
/// Where an <see cref="S3ObjectStore"/> keeps its objects and how it talks to the server. <see cref="FromUri"/> builds
/// it from an <c>s3://bucket/prefix</c> URI and the standard AWS environment variables, as the AWS tools read them.
/// </summary>
internal sealed record S3StoreOptions
{
    /// <summary>S3's smallest part size (every part of a multipart upload but the last).</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    public required string Bucket { get; init; }

    /// <summary>Key prefix without leading or trailing '/', or empty: object keys are <c>Prefix + "/" + key</c>.</summary>
    public string Prefix { get; init; } = "";

    public required S3Credentials Credentials { get; init; }

    public string Region { get; init; } = "us-east-1";

    /// <summary>An S3-compatible server's base URL (<c>AWS_ENDPOINT_URL</c>), or null for AWS itself.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary><c>http://host/bucket/key</c> instead of <c>http://bucket.host/key</c>.</summary>
    public bool PathStyle { get; init; }

    /// <summary>Objects larger than this are uploaded in parts.</summary>
    public int MultipartThreshold { get; init; } = 8 * 1024 * 1024;

    /// <summary>The size of every part but the last; at least <see cref="MinimumPartSize"/>.</summary>
    public int PartSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>max-keys of one LIST page, or null for the server's default (1000 on AWS).</summary>
    public int? ListPageSize { get; init; }

    /// <summary>Attempts per request, the first included: transient failures (5xx, 408, 429, connection errors, timeouts) are retried.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Back-off before the first retry; it doubles per retry up to <see cref="MaxRetryDelay"/>, with full jitter.</summary>
    public TimeSpan BaseRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Limit for one request including its body (a part of a multipart upload is one request).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The store's root as a user writes it.</summary>
    public string Location => Prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{Prefix}";

    /// <summary>
    /// Options for <paramref name="uri"/> (<c>s3://bucket[/prefix]</c>) from the environment, read through
    /// <paramref name="environment"/> (the process environment in production, a dictionary in tests):
    /// <c>AWS_ENDPOINT_URL_S3</c> (else <c>AWS_ENDPOINT_URL</c>), <c>AWS_REGION</c> (else <c>AWS_DEFAULT_REGION</c>,
    /// else us-east-1), <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c>, and
    /// <c>AWS_S3_FORCE_PATH_STYLE</c> (true/false; the default is path-style with a custom endpoint or a bucket name
    /// with dots, virtual-host otherwise).
    /// </summary>
    public static S3StoreOptions FromUri(string uri, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(environment);
        (string bucket, string prefix) = ParseUri(uri);

        string? endpointText = NonEmpty(environment("AWS_ENDPOINT_URL_S3")) ?? NonEmpty(environment("AWS_ENDPOINT_URL"));
        Uri? endpoint = null;
        if (endpointText is not null
            && (!Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            throw new QueryException(ErrorKind.Io, $"cannot open {uri}: the S3 endpoint \"{endpointText}\" (AWS_ENDPOINT_URL) is not an http:// or https:// URL");
        }

        string? accessKey = NonEmpty(environment("AWS_ACCESS_KEY_ID"));
        string? secretKey = NonEmpty(environment("AWS_SECRET_ACCESS_KEY"));
        if (accessKey is null || secretKey is null)
        {
            throw new QueryException(ErrorKind.Io,
                $"cannot open {uri}: no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)");
        }

        // A bucket name with dots as a host name breaks the *.s3.amazonaws.com TLS certificate: the AWS tools fall back
        // to path-style for those too.
        bool pathStyle = endpoint is not null || bucket.Contains('.', StringComparison.Ordinal);
        if (NonEmpty(environment("AWS_S3_FORCE_PATH_STYLE")) is { } forcePathStyle)
        {
            pathStyle = forcePathStyle.ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw new QueryException(ErrorKind.Io, $"cannot open {uri}: AWS_S3_FORCE_PATH_STYLE must be true or false, not \"{forcePathStyle}\""),
            };
        }

        return new S3StoreOptions
        {
            Bucket = bucket,
            Prefix = prefix,
            Endpoint = endpoint,
            PathStyle = pathStyle,
            Region = NonEmpty(environment("AWS_REGION")) ?? NonEmpty(environment("AWS_DEFAULT_REGION")) ?? "us-east-1",
            Credentials = new S3Credentials(accessKey, secretKey, NonEmpty(environment("AWS_SESSION_TOKEN"))),
        };
    }

    private static (string Bucket, string Prefix) ParseUri(string uri)
    {
        const string scheme = "s3://";
        if (!uri.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new QueryException(ErrorKind.Io, $"\"{uri}\" is not an S3 URI (s3://bucket/prefix)");
        }
        string rest = uri[scheme.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string bucket = slash < 0 ? rest : rest[..slash];
        string prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (bucket.Length is < 3 or > 63 || !IsValidBucketName(bucket))
        {
            throw new QueryException(ErrorKind.Io,
                $"\"{uri}\": \"{bucket}\" is not a valid S3 bucket name (3-63 characters: lower-case letters, digits, '.', '-')");
        }
        if (prefix.Contains("//", StringComparison.Ordinal))
        {
            throw new QueryException(ErrorKind.Io, $"\"{uri}\": the key prefix has an empty path segment");
        }
        return (bucket, prefix);
    }

    private static bool IsValidBucketName(string bucket)
    {
        foreach (char c in bucket)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Rejects settings S3 would refuse, before any request is sent.</summary>
    public void Validate()
    {
        if (PartSize < MinimumPartSize)
        {
            throw new ArgumentOutOfRangeException(nameof(PartSize), PartSize.ToString(CultureInfo.InvariantCulture),
                $"S3 parts must be at least {MinimumPartSize} bytes");
        }
        if (MultipartThreshold < 1 || MaxAttempts < 1 || ListPageSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MultipartThreshold), "MultipartThreshold, MaxAttempts and ListPageSize must be positive");
        }
    }
}
