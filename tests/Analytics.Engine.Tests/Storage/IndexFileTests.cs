using System.Buffers.Binary;
using Analytics.Errors;
using Analytics.Vector.Compression;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>
/// Index files next to segments (issue 6): a corrupt one is detected by its checksum, reported as a warning and
/// ignored — the query reads the segment instead and gives the same rows; a missing one prunes nothing; the files
/// live and die with their segments; legacy index type names warn.
/// </summary>
public sealed class IndexFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-index-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private const string Needle = "FROM logs WHERE user_id = 'm2' SELECT n";

    private void CreateIndexedTable()
    {
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE logs (user_id string, n int)");
        TableRows.Execute(session, "VALUES ('a', 1), ('m1', 2), ('z', 3) INSERT INTO logs");
        TableRows.Execute(session, "VALUES ('a', 4), ('m2', 5), ('z', 6) INSERT INTO logs");
        TableRows.Execute(session, "CREATE POINT INDEX user_point ON logs (user_id)");
    }

    private string[] IndexFiles() => Directory.GetFiles(_path, "*.idx-*", SearchOption.AllDirectories);

    private static string ScanCounters(Session session, string query) =>
        TableRows.Lines(session, "EXPLAIN ANALYZE " + query).Single(l => l.Contains("Scan logs", StringComparison.Ordinal));

    [Fact]
    public void Create_index_back_fills_one_checksummed_file_per_segment_that_prunes()
    {
        CreateIndexedTable();
        Assert.Equal(2, IndexFiles().Length);
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        Assert.Contains("segments=1/2, blocks=1/2, pruned_by=[user_point: 1]", ScanCounters(session, Needle), StringComparison.Ordinal);
        Assert.Equal(["5"], TableRows.Lines(session, Needle));
    }

    [Fact]
    public void A_corrupt_index_file_is_ignored_with_a_warning_and_the_segment_is_scanned()
    {
        CreateIndexedTable();
        foreach (string file in IndexFiles())
        {
            byte[] bytes = File.ReadAllBytes(file);
            bytes[bytes.Length / 2] ^= 0x5A;
            File.WriteAllBytes(file, bytes);
        }
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        using (QueryResult result = session.Execute(Needle))
        {
            List<string> rows = [];
            while (result.ReadNext(CancellationToken.None, out Vector.Batches.Batch? batch))
            {
                rows.Add(batch!.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            Assert.Equal(["1"], rows);
            Assert.Equal(2, result.Warnings.Count);
            Assert.All(result.Warnings, w => Assert.Matches(
                @"^index file .*\.idx-[0-9a-f]{16} is corrupt at offset \d+: checksum mismatch .*; index ""user_point"" is ignored for this segment, which is scanned instead$", w));
        }
        Assert.Equal(["5"], TableRows.Lines(session, Needle));
        Assert.Contains("segments=2/2, blocks=2/2, rows_scanned=6", ScanCounters(session, Needle), StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_index_file_is_ignored_too()
    {
        CreateIndexedTable();
        foreach (string file in IndexFiles())
        {
            byte[] bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, bytes[..5]);
        }
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        Assert.Equal(["5"], TableRows.Lines(session, Needle));
        Assert.Contains("segments=2/2", ScanCounters(session, Needle), StringComparison.Ordinal);
    }

    /// <summary>Sets the version byte of every index file and stores a matching checksum, so only the header is off.</summary>
    private void SetVersion(byte version)
    {
        foreach (string file in IndexFiles())
        {
            byte[] bytes = File.ReadAllBytes(file);
            bytes[4] = version; // after the 4-byte magic
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
            File.WriteAllBytes(file, bytes);
        }
    }

    [Fact]
    public void An_index_file_of_an_unknown_version_is_ignored_with_a_warning_even_when_its_checksum_holds()
    {
        CreateIndexedTable();
        SetVersion(9);
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        using (QueryResult result = session.Execute(Needle))
        {
            while (result.ReadNext(CancellationToken.None, out _))
            {
            }
            Assert.Equal(2, result.Warnings.Count);
            Assert.All(result.Warnings, w => Assert.Matches(
                @"^index file .*\.idx-[0-9a-f]{16} is corrupt at offset 0: the header is not that of a version 1–2 Point index over 1 blocks; index ""user_point"" is ignored for this segment, which is scanned instead$", w));
        }
        Assert.Equal(["5"], TableRows.Lines(session, Needle));
        Assert.Contains("segments=2/2", ScanCounters(session, Needle), StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_1_point_file_still_prunes_key_paths_but_not_paths_through_arrays()
    {
        using (Database database = Database.Open(_path))
        using (Session session = database.Connect())
        {
            TableRows.Execute(session, "CREATE TABLE logs (n int, var object)");
            TableRows.Execute(session, "VALUES (1, {'user': 'u1', 'tags': ['x']}) INSERT INTO logs");
            TableRows.Execute(session, "VALUES (2, {'user': 'u2', 'tags': ['y']}) INSERT INTO logs");
            TableRows.Execute(session, "CREATE POINT INDEX var_point ON logs (var)");
        }
        // Version 1 files never keyed array elements: their absence there proves nothing.
        SetVersion(1);
        using Database reopened = Database.Open(_path);
        using Session reader = reopened.Connect();
        const string keyPath = "FROM logs WHERE var['user'] = 'u2' SELECT n";
        const string arrayPath = "FROM logs WHERE var['tags'][0] = 'y' SELECT n";
        Assert.Contains("segments=1/2, blocks=1/2, pruned_by=[var_point: 1]", ScanCounters(reader, keyPath), StringComparison.Ordinal);
        Assert.Contains("segments=2/2, blocks=2/2, rows_scanned=2", ScanCounters(reader, arrayPath), StringComparison.Ordinal);
        Assert.Equal(["2"], TableRows.Lines(reader, keyPath));
        Assert.Equal(["2"], TableRows.Lines(reader, arrayPath));
    }

    [Fact]
    public void A_missing_index_file_prunes_nothing_and_new_segments_are_indexed_at_ingest()
    {
        CreateIndexedTable();
        foreach (string file in IndexFiles())
        {
            File.Delete(file);
        }
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        Assert.Contains("segments=2/2", ScanCounters(session, Needle), StringComparison.Ordinal);
        TableRows.Execute(session, "VALUES ('a', 7), ('m3', 8), ('z', 9) INSERT INTO logs");
        Assert.Single(IndexFiles());
        Assert.Contains("segments=2/3, blocks=2/3, pruned_by=[user_point: 1]", ScanCounters(session, Needle), StringComparison.Ordinal);
        Assert.Equal(["5"], TableRows.Lines(session, Needle));
    }

    [Fact]
    public void Drop_index_deletes_its_files_and_a_re_created_index_indexes_the_current_column()
    {
        CreateIndexedTable();
        using Database database = Database.Open(_path);
        using Session session = database.Connect();
        TableRows.Execute(session, "DROP INDEX user_point ON logs");
        Assert.Empty(IndexFiles());
        // The same expression over a column that now reads NULL in the old segments: its files are built afresh.
        TableRows.Execute(session, "ALTER TABLE logs DROP COLUMN user_id");
        TableRows.Execute(session, "ALTER TABLE logs ADD COLUMN user_id string");
        TableRows.Execute(session, "CREATE RANGE INDEX user_range ON logs (user_id)");
        Assert.Equal(2, IndexFiles().Length);
        Assert.Equal(["6"], TableRows.Lines(session, "FROM logs WHERE user_id IS NULL AGGREGATE count(*)"));
    }

    [Fact]
    public void Legacy_index_type_names_create_point_indexes_with_a_deprecation_warning()
    {
        using Database database = Database.OpenInMemory();
        using Session session = database.Connect();
        TableRows.Execute(session, "CREATE TABLE logs (user_id string, n int)");
        using (QueryResult result = session.Execute("CREATE SMART INDEX ON logs (user_id)"))
        {
            Assert.Equal(["SMART INDEX is a deprecated name of POINT INDEX (ScopeDB v0.2.0); created the POINT index \"logs_point_1\""], result.Warnings);
        }
        using (QueryResult result = session.Execute("CREATE POINT INDEX ON logs (n)"))
        {
            Assert.Empty(result.Warnings);
        }
        Assert.Equal(["logs_point_1|POINT", "logs_point_2|POINT"], TableRows.Lines(session, "FROM system.indexes SELECT index_name, index_type ORDER BY index_name"));
        QueryException error = Assert.Throws<QueryException>(() => TableRows.Execute(session, "CREATE SEARCH INDEX ON logs (user_id) WITH ('analyzer' = 'ngram')"));
        Assert.Equal("Binder Error: unknown analyzer 'ngram' (supported: 'log')", error.Message);
    }
}
