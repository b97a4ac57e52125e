using Analytics.Engine.Catalog;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Engine.Storage.ObjectStore;
using Analytics.Engine.Storage.Segments;
using Analytics.Engine.Tests.Catalog;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Storage;

/// <summary>
/// Comparisons evaluated on a segment column's packed values (<see cref="ILateMaterializingReader.SelectStored"/>):
/// taken for frame-of-reference and decimal chunks without NULLs, refused otherwise, and selecting exactly the rows
/// whose decoded value satisfies the comparison, for every operator and for constants on, between and beyond the
/// stored values; with every column omitted (a filtered count) the readers count those rows instead.
/// </summary>
public sealed class StoredCompareTests : IDisposable
{
    private const int Rows = 5000;
    private readonly string _path = Path.Combine(Path.GetTempPath(), "analytics-stored-compare-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    private static readonly BatchSchema s_schema = new(
        new Field("small", LogicalType.Int), new Field("price", LogicalType.Float), new Field("big", LogicalType.UInt),
        new Field("gappy", LogicalType.Int), new Field("noise", LogicalType.Float));

    private static object?[] Row(int i) =>
    [
        (long)(i % 100) - 50,                                   // frame of reference
        ((i * 7919 % 100_000) - 50_000) / 100.0,                // decimal, exactly n / 100
        ulong.MaxValue - 1000 + (ulong)(i % 1000),              // frame of reference near the top of the range
        i % 9 == 0 ? null : (long)(i % 100),                    // frame of reference with NULLs: refused
        Math.Sqrt(i) * 1.000001,                                // plain doubles: refused
    ];

    [Fact]
    public void Every_operator_selects_the_rows_a_decoded_comparison_selects()
    {
        using SegmentStorageProvider provider = new(new LocalObjectStore(_path));
        DatabaseCatalog catalog = new(provider, new NoFunctions());
        catalog.CreateTable(new QualifiedName(null, null, "t"), s_schema, TableProperties.None, ifNotExists: false);
        Assert.True(catalog.TryGetTable(new QualifiedName(null, null, "t"), out TableEntry? table));
        object?[][] rows = [.. Enumerable.Range(0, Rows).Select(Row)];
        TableRows.Insert(table.Storage, rows);

        (int Column, object[] Constants)[] cases =
        [
            (0, [-51L, -50L, -1L, 0L, 17L, 49L, 50L, long.MinValue, long.MaxValue]),
            (1, [-500.0, -499.99, -0.005, 0.0, -0.0, 123.45, 123.455, 499.99, 1e300, double.NegativeInfinity, double.PositiveInfinity]),
            (2, [0UL, ulong.MaxValue - 1000, ulong.MaxValue - 500, ulong.MaxValue - 1, ulong.MaxValue]),
        ];
        foreach ((int column, object[] constants) in cases)
        {
            foreach (object constant in constants)
            {
                foreach (CompareOp op in new[] { CompareOp.Less, CompareOp.LessOrEqual, CompareOp.Greater, CompareOp.GreaterOrEqual, CompareOp.Equal })
                {
                    int[] expected = [.. Enumerable.Range(0, Rows).Where(r => Passes(rows[r][column]!, op, constant))];
                    Assert.Equal(expected, SelectStored(table.Storage, column, op, constant, expectTaken: true));
                    Assert.Equal(expected.Length, CountStored(table.Storage, column, op, constant));
                }
            }
        }
        // Not taken: NULLs in the chunk, plain doubles, NaN, !=, a constant of another type.
        Assert.Null(SelectStored(table.Storage, 3, CompareOp.Less, 10L, expectTaken: false));
        Assert.Null(SelectStored(table.Storage, 4, CompareOp.Less, 10.0, expectTaken: false));
        Assert.Null(SelectStored(table.Storage, 1, CompareOp.Less, double.NaN, expectTaken: false));
        Assert.Null(SelectStored(table.Storage, 0, CompareOp.NotEqual, 10L, expectTaken: false));
        Assert.Null(SelectStored(table.Storage, 0, CompareOp.Less, 10.0, expectTaken: false));
    }

    private static bool Passes(object value, CompareOp op, object constant)
    {
        int order = value switch
        {
            long l => l.CompareTo((long)constant),
            ulong u => u.CompareTo((ulong)constant),
            _ => ((double)value).CompareTo((double)constant),
        };
        return op switch
        {
            CompareOp.Less => order < 0,
            CompareOp.LessOrEqual => order <= 0,
            CompareOp.Greater => order > 0,
            CompareOp.GreaterOrEqual => order >= 0,
            _ => order == 0,
        };
    }

    /// <summary>The rows (table-wide indexes) the readers select on stored values, or null when a reader refused.</summary>
    private static int[]? SelectStored(TableStorage table, int column, CompareOp op, object constant, bool expectTaken)
    {
        ScanRequest request = ScanRequest.All(s_schema.Count);
        ScanPlan plan = table.PlanScan(request);
        ScanContext context = new(plan.Metrics);
        Batch batch = new(s_schema);
        bool[] omitted = new bool[s_schema.Count];
        List<int> selected = [];
        int offset = 0;
        foreach (ScanSplit split in plan.Splits)
        {
            using ILateMaterializingReader reader = Assert.IsAssignableFrom<ILateMaterializingReader>(table.OpenReader(split, request, context));
            if (!reader.SelectStored(column, op, constant, null))
            {
                Assert.False(expectTaken, $"column {column} {op} {constant} was refused");
                return null;
            }
            Assert.True(expectTaken, $"column {column} {op} {constant} was taken");
            omitted[column] = true;
            while (reader.ReadFirst(batch, null, omitted, CancellationToken.None))
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    selected.Add(offset + batch.RowAt(i));
                    Assert.True(batch.Columns[column].IsNullAt(batch.RowAt(i)));
                }
                offset += batch.PhysicalCount;
            }
        }
        return [.. selected];
    }

    /// <summary>
    /// The rows the readers count on stored values when every column is omitted: dense batches of that many rows, each
    /// still as many physical rows as were read.
    /// </summary>
    private static int CountStored(TableStorage table, int column, CompareOp op, object constant)
    {
        ScanRequest request = ScanRequest.All(s_schema.Count);
        ScanPlan plan = table.PlanScan(request);
        ScanContext context = new(plan.Metrics);
        Batch batch = new(s_schema);
        int counted = 0;
        int read = 0;
        foreach (ScanSplit split in plan.Splits)
        {
            // As the scan does: the compared column is fetched for the comparison, then omitted like the others.
            bool[] omitted = [.. Enumerable.Range(0, s_schema.Count).Select(c => c != column)];
            using ILateMaterializingReader reader = Assert.IsAssignableFrom<ILateMaterializingReader>(table.OpenReader(split, request, context));
            Assert.True(reader.SelectStored(column, op, constant, omitted));
            omitted[column] = true;
            while (reader.ReadFirst(batch, null, omitted, CancellationToken.None))
            {
                Assert.Null(batch.Selection);
                counted += batch.Count;
                read += batch.PhysicalCount;
            }
        }
        Assert.Equal(Rows, read);
        return counted;
    }
}
