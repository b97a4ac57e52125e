using System.Text;
using Analytics.Engine.Catalog;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Engine.Storage.Segments;
using Analytics.Engine.Tests.Catalog;
using Analytics.Errors;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>Databases in a local object store: manifest versions, segments, commits, garbage collection, corruption.</summary>
public sealed class SegmentStorageTests : IDisposable
{
    private static readonly BatchSchema s_columns = new(new Field("id", LogicalType.Int), new Field("city", LogicalType.String));
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-db-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private (SegmentStorageProvider Provider, DatabaseCatalog Catalog) Open(TimeSpan? gracePeriod = null)
    {
        SegmentStorageProvider provider = new(new LocalObjectStore(_path), gracePeriod);
        return (provider, new DatabaseCatalog(provider, new NoFunctions()));
    }

    private static TableEntry Table(DatabaseCatalog catalog, string name) =>
        catalog.TryGetTable(new QualifiedName(null, null, name), out TableEntry? table) ? table : throw new InvalidOperationException(name);

    private static SegmentTableStorage Segments(DatabaseCatalog catalog, string name) => (SegmentTableStorage)Table(catalog, name).Storage;

    private string[] DataFiles(string tableId) =>
        Directory.Exists(Path.Combine(_path, "data", tableId)) ? Directory.GetFiles(Path.Combine(_path, "data", tableId)) : [];

    [Fact]
    public void Tables_rows_and_properties_survive_reopen()
    {
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        TableProperties properties = TableProperties.None with { PartitionBy = ["id"], Comment = "cities" };
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, properties, ifNotExists: false);
        TableRows.Insert(Table(catalog, "t").Storage, [1L, "oslo"], [2L, null]);
        TableRows.Insert(Table(catalog, "t").Storage, [.. Enumerable.Range(0, 100).Select(i => new object?[] { (long)i, "paris" })]);
        provider.Dispose();

        (provider, catalog) = Open();
        using SegmentStorageProvider reopened = provider;
        TableEntry table = Table(catalog, "t");
        Assert.Equal(102, table.Storage.RowCount);
        List<object?[]> rows = TableRows.ReadAll(table.Storage);
        Assert.Equal<object?[]>([1L, "oslo"], rows[0]);
        Assert.Equal<object?[]>([2L, null], rows[1]);
        Assert.Equal<object?[]>([99L, "paris"], rows[^1]);
        Assert.Equal(["id"], table.Properties.PartitionBy.ToArray());
        Assert.Equal("cities", table.Properties.Comment);
        Assert.Equal("id int, city string", table.Schema.ToString());
        // One manifest version per change: create table, two inserts.
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_path, "_manifest"), "*.json").Length);
    }

    [Fact]
    public void Database_open_reloads_its_catalog_and_rows()
    {
        using (Database database = Database.Open(_path))
        {
            Assert.Equal(Path.GetFullPath(_path), database.Path);
            database.Catalog.CreateSchema(null, "logs", ifNotExists: false);
            database.Catalog.CreateTable(new QualifiedName(null, "logs", "t"), s_columns, TableProperties.None, ifNotExists: false);
            Assert.True(database.Catalog.TryGetTable(new QualifiedName(null, "logs", "t"), out TableEntry? table));
            TableRows.Insert(table.Storage, [5L, "rome"]);
        }
        using (Database database = Database.Open(_path))
        {
            Assert.True(database.Catalog.TryGetTable(new QualifiedName("scopedb", "logs", "t"), out TableEntry? table));
            Assert.Equal<object?[]>([[5L, "rome"]], TableRows.ReadAll(table.Storage));
            Assert.Equal([("scopedb", "logs"), ("scopedb", "public")], database.Catalog.Schemas.ToArray());
        }
    }

    [Fact]
    public void A_dropped_tables_segments_are_collected_after_the_grace_period()
    {
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open(TimeSpan.Zero);
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        string id = Segments(catalog, "t").Id;
        TableRows.Insert(Table(catalog, "t").Storage, [1L, "oslo"]);
        Assert.Single(DataFiles(id));
        catalog.DropTable(new QualifiedName(null, null, "t"), ifExists: false);
        Assert.Empty(DataFiles(id));
        provider.Dispose();

        (provider, catalog) = Open();
        using SegmentStorageProvider reopened = provider;
        Assert.False(catalog.TryGetTable(new QualifiedName(null, null, "t"), out _));
    }

    [Fact]
    public void A_crashed_commit_leaves_the_committed_state_and_its_objects_are_collected_only_after_the_grace_period()
    {
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        string id = Segments(catalog, "t").Id;
        TableRows.Insert(Table(catalog, "t").Storage, [1L, "oslo"]);
        provider.Dispose();

        // A crashed commit: its segment was written, the manifest version never created; a torn temporary too.
        string orphan = Path.Combine(_path, "data", id, "orphan.seg");
        File.WriteAllBytes(orphan, [1, 2, 3]);
        string temporary = Path.Combine(_path, "_manifest", "00000000000000000003.json.tmp-abc");
        File.WriteAllText(temporary, "{ torn");

        (provider, catalog) = Open();
        Assert.Equal<object?[]>([[1L, "oslo"]], TableRows.ReadAll(Table(catalog, "t").Storage));
        Assert.True(File.Exists(orphan)); // young: it may belong to a commit still in flight elsewhere
        provider.Dispose();

        (provider, catalog) = Open(TimeSpan.Zero);
        using SegmentStorageProvider reopened = provider;
        Assert.Equal<object?[]>([[1L, "oslo"]], TableRows.ReadAll(Table(catalog, "t").Storage));
        Assert.False(File.Exists(orphan));
        Assert.False(File.Exists(temporary));
        Assert.Single(DataFiles(id));
    }

    [Fact]
    public void Two_processes_committing_to_one_directory_never_lose_each_others_rows()
    {
        (SegmentStorageProvider first, DatabaseCatalog firstCatalog) = Open();
        firstCatalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        (SegmentStorageProvider second, DatabaseCatalog secondCatalog) = Open();
        TableStorage a = Table(firstCatalog, "t").Storage;
        TableStorage b = Table(secondCatalog, "t").Storage;
        Parallel.For(0, 40, i => TableRows.Insert(i % 2 == 0 ? a : b, [(long)i, i % 2 == 0 ? "a" : "b"]));
        first.Dispose();
        second.Dispose();

        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        using SegmentStorageProvider reopened = provider;
        List<object?[]> rows = TableRows.ReadAll(Table(catalog, "t").Storage);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), rows.Select(r => (long)r[0]!).Order());
    }

    [Fact]
    public void A_scan_planned_before_a_commit_sees_the_rows_of_its_snapshot_only()
    {
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        using SegmentStorageProvider owned = provider;
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        TableStorage table = Table(catalog, "t").Storage;
        TableRows.Insert(table, [1L, "oslo"]);
        ScanPlan plan = table.PlanScan(ScanRequest.All(2));
        TableRows.Insert(table, [2L, "rome"]);
        Assert.Equal<object?[]>([[1L, "oslo"]], TableRows.Read(table, plan));
        Assert.Equal(2, TableRows.ReadAll(table).Count);
    }

    [Fact]
    public void A_database_of_the_old_row_group_format_is_rejected_with_a_clear_message()
    {
        Directory.CreateDirectory(_path);
        File.WriteAllText(Path.Combine(_path, "manifest.json"), """{"formatVersion": 1, "nextFileId": 1, "schemas": [], "tables": []}""");
        QueryException error = Assert.Throws<QueryException>(() => Database.Open(_path));
        Assert.StartsWith($"IO Error: database \"{Path.GetFullPath(_path)}\" uses format version 1 (row-group files)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_manifest_is_an_error_naming_it()
    {
        using (Database database = Database.Open(_path))
        {
            database.Catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        }
        string manifest = Path.Combine(_path, "_manifest", "00000000000000000001.json");
        byte[] content = File.ReadAllBytes(manifest);
        File.WriteAllBytes(manifest, content[..(content.Length / 2)]);
        QueryException error = Assert.Throws<QueryException>(() => Database.Open(_path));
        Assert.StartsWith($"IO Error: manifest {manifest} is corrupt:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_byte_in_a_chunk_is_a_checksum_error_naming_segment_and_column()
    {
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        using SegmentStorageProvider owned = provider;
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        TableRows.Insert(Table(catalog, "t").Storage, [.. Enumerable.Range(0, 5000).Select(i => new object?[] { (long)i * 7919 % 10007, $"city {i}" })]);
        SegmentTableStorage table = Segments(catalog, "t");
        string segment = Assert.Single(DataFiles(table.Id));
        ScanPlan plan = table.PlanScan(ScanRequest.All(2));
        SegmentChunk city = ((SegmentBlockSplit)plan.Splits[0]).Segment.Footer.Blocks[0].Chunks[1];
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[city.Offset + (city.StoredLength / 2)] ^= 0x10;
        File.WriteAllBytes(segment, bytes);

        Assert.Equal(5000, TableRows.ReadAll(table, new ScanRequest([0], [], null)).Count); // the intact column still reads
        QueryException error = Assert.Throws<QueryException>(() => TableRows.ReadAll(table));
        Assert.Equal($"IO Error: {segment} column city: checksum mismatch", error.Message);
    }

    [Fact]
    public void A_fresh_open_reads_the_footers_of_all_segments_together_and_names_a_corrupt_one()
    {
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        for (int insert = 0; insert < 6; insert++)
        {
            TableRows.Insert(Table(catalog, "t").Storage, [.. Enumerable.Range(insert * 100, 100).Select(i => new object?[] { (long)i, $"city {i % 9}" })]);
        }
        string[] segments = DataFiles(Segments(catalog, "t").Id);
        Assert.Equal(6, segments.Length);
        provider.Dispose();

        (provider, catalog) = Open();
        using (provider)
        {
            List<object?[]> rows = TableRows.ReadAll(Table(catalog, "t").Storage);
            Assert.Equal(Enumerable.Range(0, 600).Select(i => (long)i), rows.Select(r => (long)r[0]!).Order());
        }

        // A flipped byte in one footer fails the scan with that segment's name, however many footers load alongside it.
        string corrupt = segments[3];
        byte[] bytes = File.ReadAllBytes(corrupt);
        bytes[bytes.Length - SegmentFormat.TailLength - 3] ^= 0x01;
        File.WriteAllBytes(corrupt, bytes);
        (provider, catalog) = Open();
        using SegmentStorageProvider reopened = provider;
        QueryException error = Assert.Throws<QueryException>(() => TableRows.ReadAll(Table(catalog, "t").Storage));
        Assert.Equal($"IO Error: {corrupt} footer: checksum mismatch", error.Message);
    }

    [Fact]
    public void Footers_larger_than_their_estimated_read_still_load_together()
    {
        // 30 string columns whose 250-byte values are each block's min and max: ~17 KB of footer where a footer read
        // sized for 30 columns of one block takes ~12 KB, so every footer needs its second read.
        BatchSchema wide = new(Enumerable.Range(0, 30).Select(c => new Field($"c{c}", LogicalType.String)).ToArray());
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        catalog.CreateTable(new QualifiedName(null, null, "w"), wide, TableProperties.None, ifNotExists: false);
        for (int insert = 0; insert < 3; insert++)
        {
            TableRows.Insert(Table(catalog, "w").Storage, [.. Enumerable.Range(0, 30).Select(c => (object?)(new string((char)('a' + insert), 249) + c))]);
        }
        string segment = DataFiles(Segments(catalog, "w").Id)[0];
        byte[] tail = File.ReadAllBytes(segment)[^SegmentFormat.TailLength..];
        Assert.True(BitConverter.ToInt32(tail) > 16_000);
        provider.Dispose();

        (provider, catalog) = Open();
        using SegmentStorageProvider reopened = provider;
        List<object?[]> rows = TableRows.ReadAll(Table(catalog, "w").Storage);
        Assert.Equal(["a", "b", "c"], rows.Select(r => ((string)r[29]!)[..1]).Order());
        Assert.All(rows, r => Assert.Equal(new string(((string)r[0]!)[0], 249) + "29", r[29]));
    }

    [Fact]
    public void A_missing_segment_is_an_error_naming_it()
    {
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        TableRows.Insert(Table(catalog, "t").Storage, [1L, "oslo"]);
        string segment = Assert.Single(DataFiles(Segments(catalog, "t").Id));
        provider.Dispose();
        File.Delete(segment);

        (provider, catalog) = Open();
        using SegmentStorageProvider reopened = provider;
        QueryException error = Assert.Throws<QueryException>(() => TableRows.ReadAll(Table(catalog, "t").Storage));
        Assert.Equal($"IO Error: object \"{segment}\" does not exist", error.Message);
    }

    [Fact]
    public void Prefetch_hints_never_fail_and_change_nothing_a_read_sees()
    {
        using LocalObjectStore store = new(_path);
        store.Put("a", [1, 2, 3, 4]);
        store.Prefetch("a", [new ObjectRange(0, 4), new ObjectRange(2, 1 << 20)]); // a range past the end is only a hint
        store.Prefetch("missing", [new ObjectRange(0, 4)]);
        byte[] read = new byte[4];
        store.ReadRange("a", 0, read);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, read);
        QueryException error = Assert.Throws<QueryException>(() => store.ReadRange("missing", 0, read));
        Assert.StartsWith("IO Error: object ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_object_opened_once_serves_several_ranged_reads_with_the_errors_of_single_reads()
    {
        using LocalObjectStore store = new(_path);
        store.Put("a", [1, 2, 3, 4, 5, 6]);
        byte[] first = new byte[2], second = new byte[3];
        using (IObjectReader reader = store.OpenRead("a"))
        {
            reader.ReadRange(4, first);
            reader.ReadRange(0, second);
            QueryException truncated = Assert.Throws<QueryException>(() => reader.ReadRange(5, new byte[4]));
            Assert.Equal($"IO Error: \"{store.Describe("a")}\" is truncated: 4 bytes at offset 5 requested, the object ends at 6", truncated.Message);
        }
        Assert.Equal(new byte[] { 5, 6 }, first);
        Assert.Equal(new byte[] { 1, 2, 3 }, second);
        using IObjectReader missing = store.OpenRead("missing");
        QueryException error = Assert.Throws<QueryException>(() => missing.ReadRange(0, first));
        Assert.Equal($"IO Error: object \"{store.Describe("missing")}\" does not exist", error.Message);
    }

    [Fact]
    public void A_projection_reads_only_the_bytes_of_its_columns()
    {
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        using SegmentStorageProvider owned = provider;
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        TableRows.Insert(Table(catalog, "t").Storage, [.. Enumerable.Range(0, 3000).Select(i => new object?[] { (long)i, $"city {i}" })]);
        SegmentTableStorage table = Segments(catalog, "t");
        ScanPlan plan = table.PlanScan(new ScanRequest([1], [], null));
        Assert.Equal(3000, TableRows.Read(table, plan, new ScanRequest([1], [], null)).Count);
        SegmentChunk city = ((SegmentBlockSplit)plan.Splits[0]).Segment.Footer.Blocks[0].Chunks[1];
        Assert.Equal(city.StoredLength, plan.Metrics.BytesRead);
    }

    [Fact]
    public void Blocks_whose_statistics_exclude_a_filter_are_not_scanned()
    {
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        using SegmentStorageProvider owned = provider;
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_columns, TableProperties.None, ifNotExists: false);
        TableStorage table = Table(catalog, "t").Storage;
        TableRows.Insert(table, [.. Enumerable.Range(0, 300_000).Select(i => new object?[] { (long)i, "x" })]);
        ScanPlan plan = table.PlanScan(new ScanRequest([0], [new CompareFilter(0, CompareOp.GreaterOrEqual, 250_000L)], null));
        Assert.Equal(3, plan.Metrics.SplitsConsidered); // 300,000 rows = blocks of 122,880 + 122,880 + 54,240
        Assert.Equal(1, plan.Metrics.SplitsScanned);
    }

    [Fact]
    public void An_insert_larger_than_a_segment_is_committed_as_several_segments_at_once()
    {
        (SegmentStorageProvider provider, DatabaseCatalog catalog) = Open();
        using SegmentStorageProvider owned = provider;
        catalog.CreateTable(new QualifiedName(null, null, "t"), new BatchSchema(new Field("id", LogicalType.Int)), TableProperties.None, ifNotExists: false);
        int rows = SegmentFormat.SegmentRows + 10;
        TableRows.Insert(Table(catalog, "t").Storage, [.. Enumerable.Range(0, rows).Select(i => new object?[] { (long)i })]);
        Assert.Equal(2, DataFiles(Segments(catalog, "t").Id).Length);
        List<object?[]> read = TableRows.ReadAll(Table(catalog, "t").Storage);
        Assert.Equal(rows, read.Count);
        Assert.Equal((long)rows - 1, read[^1][0]);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_path, "_manifest"), "*.json").Length); // create + one commit
    }

    [Fact]
    public void Explain_analyze_shows_that_projecting_2_of_10_columns_reads_only_their_bytes()
    {
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        string columns = string.Join(", ", Enumerable.Range(0, 10).Select(c => $"c{c} int"));
        string values = string.Join(", ", Enumerable.Range(0, 2000).Select(r => "(" + string.Join(", ", Enumerable.Range(0, 10).Select(c => (r * 31) + (c * 1000))) + ")"));
        foreach (string statement in new[] { $"CREATE TABLE t ({columns})", $"VALUES {values} INSERT INTO t" })
        {
            using QueryResult result = session.Execute(statement);
            while (result.ReadNext(CancellationToken.None, out _))
            {
            }
        }
        SegmentTableStorage table = (SegmentTableStorage)database.Catalog.Tables.Single().Storage;
        SegmentBlock block = ((SegmentBlockSplit)table.PlanScan(ScanRequest.All(10)).Splits.Single()).Segment.Footer.Blocks.Single();

        Assert.Equal(block.Chunks[2].StoredLength + block.Chunks[7].StoredLength, BytesRead(session, "EXPLAIN ANALYZE FROM t SELECT c2, c7"));
        Assert.Equal(block.Chunks.Sum(c => c.StoredLength), BytesRead(session, "EXPLAIN ANALYZE FROM t"));
    }

    /// <summary>The bytes_read counter of the one scan in an EXPLAIN ANALYZE.</summary>
    private static long BytesRead(Session session, string explain)
    {
        using QueryResult result = session.Execute(explain);
        List<string> lines = [];
        while (result.ReadNext(CancellationToken.None, out Vector.Batches.Batch? batch))
        {
            for (int i = 0; i < batch!.Count; i++)
            {
                lines.Add((string)TableRows.ValueAt(batch.Columns[0], batch.RowAt(i))!);
            }
        }
        string scan = Assert.Single(lines, l => l.TrimStart().StartsWith("Scan t", StringComparison.Ordinal));
        System.Text.RegularExpressions.Match match = System.Text.RegularExpressions.Regex.Match(scan, @"bytes_read=(\d+)\)$");
        Assert.True(match.Success, scan);
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
