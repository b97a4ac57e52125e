using System.Diagnostics;
using System.Text;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Engine.Storage.ObjectStore.S3;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Xunit;

namespace Analytics.Engine.Tests.Storage.S3;

/// <summary>The S3 store and a whole database against a real S3 server (s3rver on 127.0.0.1).</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3rverIntegrationTests(S3rverFixture server)
{
    /// <summary>Each test works under a prefix of its own, so tests sharing the server never see each other's objects.</summary>
    private S3ObjectStore Store(int? listPageSize = null) => new(S3StoreOptions.FromUri($"s3://{S3rverFixture.Bucket}/{Guid.NewGuid():N}", server.Environment) with
    {
        ListPageSize = listPageSize,
        PartSize = S3StoreOptions.MinimumPartSize,
        MultipartThreshold = S3StoreOptions.MinimumPartSize,
        BaseRetryDelay = TimeSpan.FromMilliseconds(5),
    });

    private static byte[] Bytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void PutGetRangeHeadDeleteAreByteExact()
    {
        using S3ObjectStore store = Store();
        byte[] segment = Bytes(100_000, 1);
        byte[] empty = [];
        byte[] awkwardName = Encoding.UTF8.GetBytes("key with spaces, $ and é");

        store.Put("t/segment-1", segment);
        store.Put("t/empty", empty);
        store.Put("t/a b$é+=.json", awkwardName);

        Assert.Equal(segment, store.TryGet("t/segment-1"));
        Assert.Equal(empty, store.TryGet("t/empty"));
        Assert.Equal(awkwardName, store.TryGet("t/a b$é+=.json"));
        Assert.Null(store.TryGet("t/missing"));

        byte[] middle = new byte[1000];
        store.ReadRange("t/segment-1", 12_345, middle);
        Assert.Equal(segment[12_345..13_345], middle);
        byte[] tail = new byte[10];
        store.ReadRange("t/segment-1", 99_990, tail);
        Assert.Equal(segment[99_990..], tail);
        QueryException pastEnd = Assert.Throws<QueryException>(() => store.ReadRange("t/segment-1", 99_995, new byte[10]));
        Assert.Equal($"IO Error: \"{store.Describe("t/segment-1")}\" is truncated: 10 bytes at offset 99995 requested, the object ends at 100000", pastEnd.Message);
        QueryException missing = Assert.Throws<QueryException>(() => store.ReadRange("t/missing", 0, new byte[1]));
        Assert.Equal($"IO Error: object \"{store.Describe("t/missing")}\" does not exist", missing.Message);

        ObjectInfo? head = store.Head("t/segment-1");
        Assert.NotNull(head);
        Assert.Equal("t/segment-1", head.Value.Key);
        Assert.Equal(100_000, head.Value.Size);
        Assert.InRange(head.Value.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(0, store.Head("t/empty")!.Value.Size);
        Assert.Null(store.Head("t/missing"));

        store.Delete("t/segment-1");
        store.Delete("t/never-existed");
        Assert.Null(store.TryGet("t/segment-1"));
        Assert.Null(store.Head("t/segment-1"));
        Assert.Equal(["t/a b$é+=.json", "t/empty"], store.List("t/").Select(static o => o.Key));
    }

    [Fact]
    public void ListPagesThroughManyKeysInOrdinalOrder()
    {
        using S3ObjectStore store = Store(listPageSize: 7);
        List<string> expected = [];
        for (int i = 0; i < 40; i++)
        {
            string key = $"list/k{i:D3}";
            store.Put(key, Bytes(i, i));
            expected.Add(key);
        }
        store.Put("listing-sibling", [1]);
        store.Put("other/x", [1]);

        IReadOnlyList<ObjectInfo> listed = store.List("list/");

        Assert.Equal(expected, listed.Select(static o => o.Key));
        Assert.Equal(Enumerable.Range(0, 40).Select(static i => (long)i), listed.Select(static o => o.Size));
        Assert.Equal(["list/k010", "list/k011", "list/k012", "list/k013", "list/k014", "list/k015", "list/k016", "list/k017", "list/k018", "list/k019"],
            store.List("list/k01").Select(static o => o.Key));
        Assert.Equal(42, store.List("").Count);
        Assert.Empty(store.List("nothing/"));
    }

    [Fact]
    public void ElevenMebibyteObjectGoesUpInPartsAndComesBackByteExact()
    {
        using S3ObjectStore store = Store();
        byte[] big = Bytes((11 * 1024 * 1024) + 123, 11);

        store.Put("big/segment", big);

        Assert.Equal(big.Length, store.Head("big/segment")!.Value.Size);
        Assert.Equal(big, store.TryGet("big/segment"));
        byte[] acrossParts = new byte[4096];
        int boundary = S3StoreOptions.MinimumPartSize;
        store.ReadRange("big/segment", boundary - 2048, acrossParts);
        Assert.Equal(big[(boundary - 2048)..(boundary + 2048)], acrossParts);

        byte[] bigIfAbsent = Bytes((6 * 1024 * 1024) + 1, 12);
        Assert.True(store.PutIfAbsent("big/conditional", bigIfAbsent));
        Assert.Equal(bigIfAbsent, store.TryGet("big/conditional"));
    }

    [Fact]
    public void S3rverIgnoresIfNoneMatchOnPutSoPutIfAbsentOverwritesThere()
    {
        // Recorded behaviour of s3rver 3.7.1: it honours If-None-Match only on GET, so a conditional PUT of an existing
        // key succeeds and replaces it. AWS S3 (since 2024-08), MinIO and R2 answer 412, which the unit tests cover.
        using S3ObjectStore store = Store();

        Assert.True(store.PutIfAbsent("manifest", [1]));
        Assert.True(store.PutIfAbsent("manifest", [2]));

        Assert.Equal([2], store.TryGet("manifest"));
    }

    [Fact]
    public void DatabaseOnS3SurvivesReopenWithExactRows()
    {
        string uri = $"s3://{S3rverFixture.Bucket}/db-{Guid.NewGuid():N}";
        EngineOptions options = new() { CompactionInterval = null };
        using (Database database = Database.OpenPath(uri, options, server.Environment))
        using (Session session = database.Connect())
        {
            Assert.Equal(uri, database.Path);
            TableRows.Execute(session, "CREATE TABLE events (id int, city string, score float)");
            TableRows.Execute(session, "VALUES (1, 'Oslo', 1.5), (2, 'Lima', NULL), (3, NULL, -2.25) INSERT INTO events");
            TableRows.Execute(session, "VALUES (4, 'Pune', 0.0) INSERT INTO events");
        }

        using (Database reopened = Database.OpenPath(uri, options, server.Environment))
        using (Session session = reopened.Connect())
        {
            Assert.Equal(["1|Oslo|1.5", "2|Lima|NULL", "3|NULL|-2.25", "4|Pune|0.0"], TableRows.Lines(session, "FROM events ORDER BY id"));
            Assert.Equal(["4"], TableRows.Lines(session, "FROM events AGGREGATE count(*) AS n"));
        }

        using S3ObjectStore raw = new(S3StoreOptions.FromUri(uri, server.Environment));
        Assert.NotEmpty(raw.List(""));
    }

    [Fact]
    public void UnreachableEndpointFailsFastWithTheEndpointAndObjectNamed()
    {
        Dictionary<string, string> environment = new(StringComparer.Ordinal)
        {
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1",
            ["AWS_ACCESS_KEY_ID"] = "S3RVER",
            ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
        };
        Stopwatch elapsed = Stopwatch.StartNew();
        using S3ObjectStore store = new(S3StoreOptions.FromUri("s3://bucket/key-prefix", environment.GetValueOrDefault) with
        {
            MaxAttempts = 2,
            BaseRetryDelay = TimeSpan.FromMilliseconds(5),
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });

        QueryException error = Assert.Throws<QueryException>(() => store.TryGet("object"));

        Assert.Equal(ErrorKind.Io, error.Kind);
        Assert.StartsWith("IO Error: cannot reach S3 endpoint http://127.0.0.1:1 for s3://bucket/key-prefix/object: Connection refused",
            error.Message, StringComparison.Ordinal);

        QueryException opening = Assert.Throws<QueryException>(() => Database.OpenPath("s3://bucket/db", null, environment.GetValueOrDefault));
        Assert.StartsWith("IO Error: cannot reach S3 endpoint http://127.0.0.1:1 for s3://bucket/db/", opening.Message, StringComparison.Ordinal);
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(20), $"took {elapsed.Elapsed}");
    }


}
