using Analytics.Arrow.Results;
using Analytics.Arrow.Sources;
using Analytics.Engine;
using Analytics.Errors;
using Analytics.Vector.Values;
using Xunit;

namespace Analytics.Arrow.Tests;

/// <summary>Query results as Arrow streams, <c>read_arrow</c> as a pipeline source, and Arrow batches ingested into a table.</summary>
public sealed class EngineArrowTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("analytics-arrow-engine-").FullName;
    private readonly Database _database = Database.OpenInMemory();
    private readonly Session _session;

    public EngineArrowTests()
    {
        _database.RegisterSourceFactory(new ReadArrowSourceFactory());
        _session = _database.Connect();
    }

    public void Dispose()
    {
        _session.Dispose();
        _database.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private List<object?[]> Query(string statement)
    {
        using QueryResult result = _session.Execute(statement);
        var rows = new List<object?[]>();
        while (result.ReadNext(CancellationToken.None, out Vector.Batches.Batch? batch))
        {
            rows.AddRange(TestBatches.Rows(batch!));
        }
        return rows;
    }

    private void Run(string statement) => Query(statement);

    private string WriteResult(string statement, string name, ArrowWriteOptions? options = null)
    {
        string path = Path.Combine(_directory, name);
        using QueryResult result = _session.Execute(statement);
        using FileStream output = File.Create(path);
        ArrowResultWriter.Write(result, output, options);
        return path;
    }

    [Theory]
    [InlineData(ArrowIpcFormat.Stream, "r.arrows")]
    [InlineData(ArrowIpcFormat.File, "r.arrow")]
    public void A_query_result_streams_as_arrow_and_reads_back_through_read_arrow(ArrowIpcFormat format, string name)
    {
        string path = WriteResult("VALUES (1, 'one', 1.5, true), (2, NULL, NULL, false), (3, 'three', -0.5, NULL)", name,
            new ArrowWriteOptions { Format = format });
        using (ArrowIpcReader reader = ArrowIpcReader.Open(File.OpenRead(path)))
        {
            Assert.Equal(format, reader.Format);
        }
        RoundTripPropertyTests.AssertRows(
            [[1L, "one", 1.5, true], [2L, null, null, false], [3L, "three", -0.5, null]],
            Query($"FROM read_arrow('{path}') ORDER BY $0"));
    }

    [Fact]
    public void Record_batches_larger_than_our_batches_are_cut_and_filtered()
    {
        const int Rows = 10_000;
        long[] ids = new long[Rows];
        var offsets = new int[Rows + 1];
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < Rows; i++)
        {
            ids[i] = i;
            text.Append('t').Append(i % 7);
            offsets[i + 1] = text.Length;
        }
        var schema = new Types.ArrowSchema([new Types.ArrowField("id", Types.ArrowType.Int64, false), new Types.ArrowField("tag", Types.ArrowType.Utf8, false)]);
        var batch = new Arrays.ArrowRecordBatch(schema, Rows,
        [
            new Arrays.ArrowArray(Types.ArrowType.Int64, Rows, 0, 0, [ReadOnlyMemory<byte>.Empty, System.Runtime.InteropServices.MemoryMarshal.AsBytes(ids.AsSpan()).ToArray()]),
            new Arrays.ArrowArray(Types.ArrowType.Utf8, Rows, 0, 0,
                [ReadOnlyMemory<byte>.Empty, System.Runtime.InteropServices.MemoryMarshal.AsBytes(offsets.AsSpan()).ToArray(), System.Text.Encoding.UTF8.GetBytes(text.ToString())]),
        ]);
        string path = Path.Combine(_directory, "big.arrows");
        File.WriteAllBytes(path, TestBatches.Write(schema, [batch, batch], ArrowIpcFormat.Stream, ArrowCompression.Zstd));
        RoundTripPropertyTests.AssertRows([[2L * Rows, 2L * 49_995_000]], Query($"FROM read_arrow('{path}') AGGREGATE count(*), sum(id)"));
        RoundTripPropertyTests.AssertRows([[2L * 1429]], Query($"FROM read_arrow('{path}') WHERE tag = 't0' AGGREGATE count(*)"));
        RoundTripPropertyTests.AssertRows([[2L * 1429]], Query($"FROM read_arrow('{path}') WHERE tag = 't3' AGGREGATE count(*)"));
    }

    [Fact]
    public void Arrow_batches_are_ingested_into_a_table()
    {
        string path = WriteResult("VALUES (1, 'a'), (2, 'b')", "in.arrow");
        Run("CREATE TABLE t (id int, name string)");
        Run($"FROM read_arrow('{path}') INSERT INTO t");
        Run($"FROM read_arrow('{path}') SELECT $0 + 10, $1 || '!' INSERT INTO t");
        RoundTripPropertyTests.AssertRows([[1L, "a"], [2L, "b"], [11L, "a!"], [12L, "b!"]], Query("FROM t ORDER BY id"));
    }

    [Fact]
    public void Batches_of_a_result_are_arrow_record_batches()
    {
        using QueryResult result = _session.Execute("VALUES (1, 'x'), (2, 'y')");
        long rows = 0;
        foreach (Arrays.ArrowRecordBatch batch in ArrowResultWriter.ReadBatches(result))
        {
            Assert.Equal("int64", batch.Schema.Fields[0].Type.ToString());
            Assert.Equal("utf8", batch.Schema.Fields[1].Type.ToString());
            rows += batch.Length;
        }
        Assert.Equal(2, rows);
    }

    [Fact]
    public void Read_arrow_reports_missing_and_corrupt_files()
    {
        QueryException missing = Assert.Throws<QueryException>(() => Query($"FROM read_arrow('{_directory}/nope.arrows')"));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        string corrupt = Path.Combine(_directory, "corrupt.arrows");
        File.WriteAllBytes(corrupt, [0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0, 1, 2]);
        QueryException error = Assert.Throws<QueryException>(() => Query($"FROM read_arrow('{corrupt}')"));
        Assert.Equal("Arrow Error: metadata length 16 runs past the end of the input at byte 4", error.Message);
    }

    [Fact]
    public void Timestamps_intervals_and_variants_survive()
    {
        string path = WriteResult("VALUES (TIMESTAMP '2026-12-05T10:00:00.123456789Z', INTERVAL '1 hour', {'a': [1, 'x']}::object, [1, 2]::array)", "t.arrows");
        RoundTripPropertyTests.AssertRows(
            [[new Timestamp(1_796_464_800_123_456_789), new Interval(3_600_000_000_000), "{\"a\":[1,\"x\"]}", "[1,2]"]],
            Query($"FROM read_arrow('{path}')"));
        using ArrowIpcReader reader = ArrowIpcReader.Open(File.OpenRead(path));
        Assert.Equal(["timestamp", "interval", "object", "array"], Conversion.ArrowImport.ToBatchSchema(reader.Schema).Fields.Select(f => f.Type.Name));
    }
}
