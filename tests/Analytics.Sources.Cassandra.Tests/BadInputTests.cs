using Analytics.Errors;
using Analytics.Sources.Cassandra.Format;
using Xunit;

namespace Analytics.Sources.Cassandra.Tests;

/// <summary>Corrupt, truncated, missing and unsupported inputs give clear errors naming the file (and offset).</summary>
public class BadInputTests
{
    private static QueryException Error(string directory, string? schema = null) =>
        Assert.Throws<QueryException>(() => Fixtures.Rows(Fixtures.Open(directory, schema)));

    [Fact]
    public void A_flipped_byte_in_an_lz4_chunk_fails_its_crc()
    {
        using TempCopy copy = new("scylla-tools-java/me/legacy_me_clust");
        copy.FlipByte("me-1-big-Data.db", 1000);
        QueryException error = Error(copy.Directory);
        // Offset 1000 lies in the second chunk, stored from byte 989.
        Assert.Equal($"IO Error: {copy.PathOf("me-1-big-Data.db")} at offset 989: checksum mismatch in compressed chunk 1 (stored ", error.Message[..(error.Message.IndexOf("(stored ", StringComparison.Ordinal) + 8)]);
    }

    [Fact]
    public void A_truncated_compressed_data_file_names_the_missing_chunk()
    {
        using TempCopy copy = new("scylla-tools-java/me/legacy_me_clust");
        copy.Truncate("me-1-big-Data.db", 3000);
        QueryException error = Error(copy.Directory);
        Assert.StartsWith($"IO Error: {copy.PathOf("me-1-big-Data.db")} at offset ", error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_byte_in_uncompressed_data_fails_crc_db()
    {
        using TempCopy copy = new("sstable-to-arrow/md/alltypes");
        copy.FlipByte("md-1-big-Data.db", 50);
        QueryException error = Error(copy.Directory);
        Assert.StartsWith($"IO Error: {copy.PathOf("md-1-big-Data.db")} at offset 0: checksum mismatch in chunk 0 (CRC.db has ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_rows_without_checksums_are_caught_by_their_size_fields()
    {
        using TempCopy copy = new("sstable-to-arrow/md/alltypes", name => !name.EndsWith("CRC.db", StringComparison.Ordinal) && !name.EndsWith("Digest.crc32", StringComparison.Ordinal));
        File.WriteAllLines(copy.PathOf("md-1-big-TOC.txt"), File.ReadAllLines(copy.PathOf("md-1-big-TOC.txt")).Where(l => l is not ("CRC.db" or "Digest.crc32")));
        // Byte 18 starts the row size vint (after the u16 length, the key 'foo', the 12-byte deletion time and the row
        // flags): 80 af = 175 becomes 81 af = 431, more than the file holds.
        byte[] data = File.ReadAllBytes(copy.PathOf("md-1-big-Data.db"));
        Assert.Equal(0x80, data[18]);
        data[18]++;
        File.WriteAllBytes(copy.PathOf("md-1-big-Data.db"), data);
        Assert.Equal($"IO Error: {copy.PathOf("md-1-big-Data.db")} (uncompressed) at offset 18: row size 431 runs past the end of the data (176 bytes remain)",
            Error(copy.Directory).Message);
    }

    [Fact]
    public void A_digest_mismatch_is_reported()
    {
        using TempCopy copy = new("scylla-tools-java/me/legacy_me_simple");
        File.WriteAllText(copy.PathOf("me-1-big-Digest.crc32"), "12345");
        Assert.StartsWith($"IO Error: {copy.PathOf("me-1-big-Data.db")} at offset 0: digest mismatch: Digest.crc32 has 12345, Data.db has ",
            Error(copy.Directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_and_flipped_statistics_name_the_component()
    {
        using TempCopy truncated = new("sstable-tools/ma/users");
        truncated.Truncate("ma-2-big-Statistics.db", 30);
        Assert.StartsWith($"IO Error: {truncated.PathOf("ma-2-big-Statistics.db")} at offset ", Error(truncated.Directory).Message, StringComparison.Ordinal);
        using TempCopy flipped = new("sstable-transformer/oa/test3");
        flipped.FlipByte("oa-2-big-Statistics.db", 100);
        QueryException error = Error(flipped.Directory);
        Assert.StartsWith($"IO Error: {flipped.PathOf("oa-2-big-Statistics.db")} at offset ", error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum mismatch in metadata component", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_components_are_named()
    {
        using TempCopy copy = new("sstable-tools/ma/users", name => !name.EndsWith("Statistics.db", StringComparison.Ordinal));
        Assert.Equal($"IO Error: {copy.PathOf("ma-2-big-Statistics.db")}: component Statistics.db is listed in the TOC but missing", Error(copy.Directory).Message);
        using TempCopy noToc = new("sstable-tools/ma/users", name => !name.EndsWith("TOC.txt", StringComparison.Ordinal));
        Assert.Equal($"IO Error: {noToc.PathOf("ma-2-big-TOC.txt")}: component TOC.txt is missing; it lists the sstable's components", Error(noToc.Directory).Message);
    }

    [Theory]
    [InlineData("ka", "not supported (it predates Cassandra 3.0's row format")]
    [InlineData("la", "not supported (it predates Cassandra 3.0's row format")]
    [InlineData("zz", "not supported (it is newer than this reader")]
    public void Unsupported_versions_are_refused(string version, string message)
    {
        using TempCopy copy = new("sstable-tools/ma/users");
        foreach (string file in Directory.EnumerateFiles(copy.Directory))
        {
            File.Move(file, Path.Combine(copy.Directory, version + Path.GetFileName(file)[2..]));
        }
        QueryException error = Error(copy.Directory);
        Assert.StartsWith($"IO Error: {copy.PathOf(version + "-2-big-Data.db")}: sstable version {version} is ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bti_and_pre_3_0_file_names_are_refused()
    {
        using TempCopy copy = new("sstable-tools/ma/users");
        foreach (string file in Directory.EnumerateFiles(copy.Directory))
        {
            File.Move(file, Path.Combine(copy.Directory, Path.GetFileName(file).Replace("ma-2-big-", "da-2-bti-", StringComparison.Ordinal)));
        }
        Assert.Equal($"IO Error: {copy.PathOf("da-2-bti-Data.db")}: the BTI sstable format (da) is not supported; supported: ma, mb, mc, md, me, na, nb, oa of the big format",
            Error(copy.Directory).Message);
        using TempCopy old = new("sstable-tools/ma/users");
        File.Move(old.PathOf("ma-2-big-Data.db"), old.PathOf("ks-users-ka-2-Data.db"));
        Assert.StartsWith($"IO Error: {old.PathOf("ks-users-ka-2-Data.db")}: sstable version ka (Cassandra 2.x) is not supported", Error(old.Directory).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schema_that_does_not_match_the_header_is_an_error()
    {
        string users = Fixtures.Dir("sstable-tools/ma/users");
        Assert.Contains("column birth_year is int in the schema but bigint in the sstable",
            Error(users, "CREATE TABLE u (user_name text PRIMARY KEY, birth_year int, gender text, password text, state text)").Message, StringComparison.Ordinal);
        Assert.Contains("regular column state (text) is not in the schema",
            Error(users, "CREATE TABLE u (user_name text PRIMARY KEY, birth_year bigint, gender text, password text)").Message, StringComparison.Ordinal);
        Assert.Contains("the schema has 2 partition key column(s), the sstable 1",
            Error(users, "CREATE TABLE u (a text, b text, birth_year bigint, PRIMARY KEY ((a, b)))").Message, StringComparison.Ordinal);
        Assert.Equal("Binder Error: sstable(): option schema is not a valid CREATE TABLE: no PRIMARY KEY",
            Error(users, "CREATE TABLE u (a text)").Message);
    }

    [Fact]
    public void Missing_directories_and_empty_ones_are_errors()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-sstable-dir-" + Guid.NewGuid().ToString("N"));
        Assert.Equal($"IO Error: {missing}: directory not found", Error(missing).Message);
        using TempCopy empty = new("sstable-tools/ma/users", _ => false);
        Assert.Equal($"IO Error: {empty.Directory}: no sstable (no *-Data.db file) in this directory", Error(empty.Directory).Message);
    }

    [Fact]
    public void Unsupported_partitioners_are_named()
    {
        Assert.Equal("IO Error: f: partitioner org.apache.cassandra.dht.LocalPartitioner is not supported (supported: Murmur3Partitioner, RandomPartitioner, ByteOrderedPartitioner)",
            Assert.Throws<QueryException>(() => Data.PartitionOrder.For("org.apache.cassandra.dht.LocalPartitioner", "f")).Message);
    }
}
