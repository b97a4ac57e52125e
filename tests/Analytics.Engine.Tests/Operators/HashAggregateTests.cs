using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Operators.Aggregation;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Engine.Tests.Execution;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;
using Xunit;
using static Analytics.Engine.Tests.Execution.ExecutionHarness;

namespace Analytics.Engine.Tests.Operators;

public class HashAggregateTests
{
    private static readonly BatchSchema s_schema = new(new Field("k", LogicalType.String), new Field("i", LogicalType.Int), new Field("f", LogicalType.Float));

    [Fact]
    public void Global_aggregate_on_empty_input_returns_one_row_with_zero_counts_and_null_sums()
    {
        LogicalScan scan = ScanOf(Table(s_schema, 1, []));
        LogicalAggregate aggregate = GroupBy(scan, [], Aggregate("count"), Aggregate("count", Column(scan, 1)),
            Aggregate("sum", Column(scan, 1)), Aggregate("avg", Column(scan, 2)), Aggregate("min", Column(scan, 0)), Aggregate("count_distinct", Column(scan, 1)));

        Assert.Equal<object?[]>([[0L, 0L, null, null, null, 0L]], Run(aggregate));
    }

    [Fact]
    public void Grouped_aggregate_on_empty_input_returns_no_rows()
    {
        LogicalScan scan = ScanOf(Table(s_schema, 1, []));
        Assert.Empty(Run(GroupBy(scan, [Column(scan, 0)], Aggregate("count"))));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Aggregates_skip_nulls_and_groups_span_batches_and_threads(int threads)
    {
        List<object?[]> rows = [];
        for (int i = 0; i < 10_000; i++)
        {
            rows.Add([i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : null, i % 7 == 0 ? null : (long)i, i * 0.5]);
        }
        LogicalScan scan = ScanOf(Table(s_schema, 4, rows));
        // sum(f) and avg(f) share one state (the avg reads the sum's sums and counts).
        LogicalAggregate aggregate = GroupBy(scan, [Column(scan, 0)], Aggregate("count"), Aggregate("count", Column(scan, 1)),
            Aggregate("sum", Column(scan, 1)), Aggregate("sum", Column(scan, 2)), Aggregate("min", Column(scan, 1)), Aggregate("max", Column(scan, 1)),
            Aggregate("count_distinct", Column(scan, 1)), Aggregate("avg", Column(scan, 2)));

        List<object?[]> expected = [];
        foreach (IGrouping<string?, object?[]> group in rows.GroupBy(r => (string?)r[0]))
        {
            List<long> ints = [.. group.Where(r => r[1] is not null).Select(r => (long)r[1]!)];
            expected.Add([group.Key, (long)group.Count(), (long)ints.Count, ints.Sum(), group.Sum(r => (double)r[2]!), ints.Min(), ints.Max(), (long)ints.Distinct().Count(),
                group.Average(r => (double)r[2]!)]);
        }
        Assert.Equal(Sorted(expected), Sorted(Run(aggregate, threads)));
    }

    [Fact]
    public void Multi_column_keys_with_null_key_values_form_their_own_groups()
    {
        BatchSchema schema = new(new Field("a", LogicalType.Int), new Field("b", LogicalType.Boolean));
        LogicalScan scan = ScanOf(Table(schema, 2, [[1L, true], [1L, null], [null, true], [1L, true], [null, null], [null, null]]));
        LogicalAggregate aggregate = GroupBy(scan, [Column(scan, 0), Column(scan, 1)], Aggregate("count"));

        Assert.Equal(Sorted([[1L, true, 2L], [1L, null, 1L], [null, true, 1L], [null, null, 2L]]), Sorted(Run(aggregate)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Two_dictionary_string_keys_group_by_codes_and_agree_with_hashed_rows_of_the_same_keys(int threads)
    {
        // Parts 0-2 have few distinct strings (scanned as dictionaries: grouped by code combinations); part 3 has
        // unique strings among the same common ones (scanned flat: hashed per row). A key seen both ways must be one group.
        BatchSchema schema = new(new Field("a", LogicalType.String), new Field("b", LogicalType.String), new Field("i", LogicalType.Int));
        string?[] sources = ["nginx", "app", "db", null];
        string?[] applications = ["checkout", "search", null, "login", "cart"];
        List<object?[]> rows = [];
        for (int i = 0; i < 20_000; i++)
        {
            string? a = i >= 15_000 && i % 2 == 0 ? $"unique-{i}" : sources[i % sources.Length];
            rows.Add([a, applications[i / 3 % applications.Length], (long)i]);
        }
        LogicalScan scan = ScanOf(Table(schema, 4, rows));
        LogicalAggregate aggregate = GroupBy(scan, [Column(scan, 0), Column(scan, 1)], Aggregate("count"), Aggregate("sum", Column(scan, 2)));

        List<object?[]> expected = [.. rows.GroupBy(r => ((string?)r[0], (string?)r[1]))
            .Select(g => new object?[] { g.Key.Item1, g.Key.Item2, (long)g.Count(), g.Sum(r => (long)r[2]!) })];
        Assert.Equal(Sorted(expected), Sorted(Run(aggregate, threads)));
    }

    [Fact]
    public void Float_keys_group_negative_zero_with_zero_and_nan_with_nan()
    {
        BatchSchema schema = new(new Field("f", LogicalType.Float));
        LogicalScan scan = ScanOf(Table(schema, 1, [[0.0], [-0.0], [double.NaN], [double.NaN]]));
        List<object?[]> result = Sorted(Run(GroupBy(scan, [Column(scan, 0)], Aggregate("count"))));

        Assert.Equal(2, result.Count);
        Assert.All(result, r => Assert.Equal(2L, r[1]));
    }

    [Fact]
    public void Min_and_max_order_strings_by_bytes_and_floats_with_nan_greatest()
    {
        LogicalScan scan = ScanOf(Table(s_schema, 2, [["b", 1L, 1.0], ["B", 2L, double.NaN], ["ab", 3L, -5.0], [null, null, null]]));
        LogicalAggregate aggregate = GroupBy(scan, [], Aggregate("min", Column(scan, 0)), Aggregate("max", Column(scan, 0)),
            Aggregate("min", Column(scan, 2)), Aggregate("max", Column(scan, 2)));

        Assert.Equal<object?[]>([["B", "b", -5.0, double.NaN]], Run(aggregate));
    }

    [Fact]
    public void Integer_sum_overflow_is_an_error()
    {
        LogicalScan scan = ScanOf(Table(s_schema, 1, [["a", long.MaxValue, 0.0], ["a", 1L, 0.0]]));
        QueryException error = Assert.Throws<QueryException>(() => Run(GroupBy(scan, [], Aggregate("sum", Column(scan, 1)))));
        Assert.Equal(ErrorKind.OutOfRange, error.Kind);
    }

    [Fact]
    public void Aggregate_respects_the_selection_of_a_filter()
    {
        LogicalScan scan = ScanOf(Table(s_schema, 1, [["a", 1L, 1.0], ["a", 5L, 2.0], ["b", 7L, 3.0]]));
        LogicalFilter filter = new(scan, new BoundBinaryExpression(BinaryOperator.Greater, Column(scan, 1), Constant(2L, LogicalType.Int), LogicalType.Boolean));
        LogicalAggregate aggregate = GroupBy(filter, [Column(filter, 0)], Aggregate("sum", Column(filter, 2)));

        Assert.Equal(Sorted([["a", 2.0], ["b", 3.0]]), Sorted(Run(aggregate)));
    }

    internal static InMemoryTableStorage Numbers(int count, int parts)
    {
        List<object?[]> rows = [];
        for (int i = 0; i < count; i++)
        {
            rows.Add([$"s{i % 50}", (long)i, i * 0.25]);
        }
        return Table(s_schema, parts, rows);
    }

    [Fact]
    public void Dictionary_string_keys_group_like_flat_ones()
    {
        LogicalScan scan = ScanOf(Numbers(20_000, 3));
        List<object?[]> result = Run(GroupBy(scan, [Column(scan, 0)], Aggregate("count")), threads: 2);

        Assert.Equal(50, result.Count);
        Assert.All(result, r => Assert.Equal(400L, r[1]));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"s{i}").Order(StringComparer.Ordinal), result.Select(r => (string)r[0]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Group_by_a_computed_key()
    {
        LogicalScan scan = ScanOf(Numbers(100, 1));
        BoundExpression key = new BoundBinaryExpression(BinaryOperator.Modulo, Column(scan, 1), Constant(4L, LogicalType.Int), LogicalType.Int);
        List<object?[]> result = Sorted(Run(GroupBy(scan, ImmutableArray.Create(key), Aggregate("count"))));

        Assert.Equal<object?[]>([[0L, 25L], [1L, 25L], [2L, 25L], [3L, 25L]], result);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Single_int_key_groups_by_hash_and_keeps_null_apart_from_the_value_that_hashes_like_null(int threads)
    {
        // Integer keys match on their hash alone (a bijection of the value); NULL's hash is one value's hash too, so
        // that value and NULL must still be two groups, within a worker and when workers' tables merge.
        long likeNull = ValueHashingLikeNull();
        Assert.Equal(HashKernels.NullHash, HashKernels.HashInt64(likeNull));
        BatchSchema schema = new(new Field("k", LogicalType.Int), new Field("i", LogicalType.Int));
        List<object?[]> rows = [];
        for (int i = 0; i < 40_000; i++)
        {
            object? key = (i % 97) switch
            {
                0 => null,
                1 => likeNull,
                _ => (long)((i * 7919L) % 15_000) - 7_000,
            };
            rows.Add([key, (long)i]);
        }
        LogicalScan scan = ScanOf(Table(schema, 4, rows));
        LogicalAggregate aggregate = GroupBy(scan, [Column(scan, 0)], Aggregate("count"), Aggregate("sum", Column(scan, 1)));

        List<object?[]> expected = [.. rows.GroupBy(r => (long?)r[0]).Select(g => new object?[] { g.Key, (long)g.Count(), g.Sum(r => (long)r[1]!) })];
        Assert.Equal(Sorted(expected), Sorted(Run(aggregate, threads)));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(2, true)]
    public void Many_groups_buffered_by_partition_and_merged_in_parallel_equal_the_row_by_row_groups(int threads, bool filtered)
    {
        // 150k keys: each worker's table passes RadixThreshold, so its later rows are buffered by partition and every
        // partition is merged on its own (GroupMerge); the groups must be those of a plain row-by-row grouping,
        // NULL and the value hashing like NULL apart, with the filter's selection respected. avg(f) and sum(f) keep
        // one state (SharedFloatSum), so the buffered rows carry f once and both are written from it.
        Assert.True(150_000 > 2 * Analytics.Engine.Operators.Aggregation.PhysicalHashAggregate.RadixThreshold);
        long likeNull = ValueHashingLikeNull();
        BatchSchema schema = new(new Field("k", LogicalType.Int), new Field("i", LogicalType.Int), new Field("f", LogicalType.Float));
        List<object?[]> rows = [];
        for (int i = 0; i < 400_000; i++)
        {
            object? key = (i % 1_009) switch
            {
                0 => null,
                1 => likeNull,
                _ => ((i * 7_919L) % 150_000) - 70_000,
            };
            rows.Add([key, i % 11 == 0 ? null : (long)(i % 1_000), i * 0.5]);
        }
        LogicalScan scan = ScanOf(Table(schema, 8, rows));
        LogicalOperator input = filtered
            ? new LogicalFilter(scan, new BoundBinaryExpression(BinaryOperator.Greater, Column(scan, 2), Constant(1_000.0, LogicalType.Float), LogicalType.Boolean))
            : scan;
        LogicalAggregate aggregate = GroupBy(input, [Column(input, 0)], Aggregate("count"), Aggregate("count", Column(input, 1)),
            Aggregate("sum", Column(input, 1)), Aggregate("avg", Column(input, 2)), Aggregate("min", Column(input, 1)),
            Aggregate("max", Column(input, 2)), Aggregate("count_distinct", Column(input, 1)), Aggregate("sum", Column(input, 2)));

        List<object?[]> expected = [];
        foreach (IGrouping<long?, object?[]> group in rows.Where(r => !filtered || (double)r[2]! > 1_000.0).GroupBy(r => (long?)r[0]))
        {
            List<long> ints = [.. group.Where(r => r[1] is not null).Select(r => (long)r[1]!)];
            expected.Add([group.Key, (long)group.Count(), (long)ints.Count, ints.Count == 0 ? null : ints.Sum(), group.Average(r => (double)r[2]!),
                ints.Count == 0 ? null : ints.Min(), group.Max(r => (double)r[2]!), (long)ints.Distinct().Count(), group.Sum(r => (double)r[2]!)]);
        }
        Assert.Equal(Sorted(expected), Sorted(Run(aggregate, threads)));
    }

    [Theory]
    [InlineData(1, 10, 0)]
    [InlineData(2, 10, 0)]
    [InlineData(3, 25, 7)]
    public void Top_n_over_many_groups_writes_only_candidates_and_equals_the_full_sort(int threads, long limit, long offset)
    {
        // 100k groups (buffered by partition past RadixThreshold) with counts 1-4, so the first key ties massively
        // and the second decides; the fused aggregate's candidates must give the full sort's head.
        BatchSchema schema = new(new Field("k", LogicalType.Int));
        List<object?[]> rows = [];
        for (int i = 0; i < 250_000; i++)
        {
            long key = (i * 7_919L) % 100_000;
            rows.Add([i % 3 == 0 && key % 4 != 0 ? (key + 1) % 100_000 : key]);
        }
        LogicalScan scan = ScanOf(Table(schema, 6, rows));
        LogicalAggregate aggregate = GroupBy(scan, [Column(scan, 0)], Aggregate("count"));
        LogicalTopN topN = new(aggregate, [new BoundOrderItem(Column(aggregate, 1), Descending: true, NullsFirst: true),
            new BoundOrderItem(Column(aggregate, 0), Descending: false, NullsFirst: false)], limit, offset);
        Assert.Contains("candidates for top", PhysicalPlanner.Plan(topN, new EngineOptions()).Describe(), StringComparison.Ordinal);

        List<object?[]> expected = [.. rows.GroupBy(r => (long)r[0]!).Select(g => (Key: g.Key, Count: (long)g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Key).Skip((int)offset).Take((int)limit).Select(g => new object?[] { g.Key, g.Count })];
        Assert.Equal(expected, Run(topN, threads));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Queries_in_a_row_on_pooled_group_arrays_see_none_of_the_previous_groups(int threads)
    {
        // Group tables, key columns and states are rented from WorkingArrayPool, so each query below runs on the
        // arrays the one before returned, holding its keys, NULL flags, counts, sums and extremes. Each query's groups
        // must still be exactly its own: cleared states, no stale NULL flag, no entry read past a group count (a
        // rented array is longer than asked). Group counts differ (serial and partitioned merges, buffered rows).
        BatchSchema pairs = new(new Field("a", LogicalType.Int), new Field("b", LogicalType.Int), new Field("v", LogicalType.Int));
        List<object?[]> pairRows = [];
        for (int i = 0; i < 300_000; i++)
        {
            pairRows.Add([i % 2 == 0 ? null : (long)(i % 7), (long)(i % 90_000), (long)(i % 1_000) - 500]);
        }
        BatchSchema strings = new(new Field("s", LogicalType.String), new Field("v", LogicalType.Int));
        List<object?[]> stringRows = [];
        for (int i = 0; i < 120_000; i++)
        {
            stringRows.Add([i % 5 == 0 ? null : $"k{i % 40_000}", (long)i]);
        }
        for (int round = 0; round < 2; round++)
        {
            LogicalScan pairScan = ScanOf(Table(pairs, 6, pairRows));
            List<object?[]> expectedPairs = [.. pairRows.GroupBy(r => ((long?)r[0], (long)r[1]!)).Select(g => new object?[]
            {
                g.Key.Item1, g.Key.Item2, (long)g.Count(), g.Sum(r => (long)r[2]!), g.Min(r => (long)r[2]!), g.Max(r => (long)r[2]!),
            })];
            Assert.Equal(Sorted(expectedPairs), Sorted(Run(GroupBy(pairScan, [Column(pairScan, 0), Column(pairScan, 1)], Aggregate("count"),
                Aggregate("sum", Column(pairScan, 2)), Aggregate("min", Column(pairScan, 2)), Aggregate("max", Column(pairScan, 2))), threads)));

            LogicalScan stringScan = ScanOf(Table(strings, 4, stringRows));
            List<object?[]> expectedStrings = [.. stringRows.GroupBy(r => (string?)r[0]).Select(g => new object?[]
            {
                g.Key, (long)g.Count(), g.Min(r => (long)r[1]!),
            })];
            Assert.Equal(Sorted(expectedStrings), Sorted(Run(GroupBy(stringScan, [Column(stringScan, 0)], Aggregate("count"),
                Aggregate("min", Column(stringScan, 1))), threads)));

            // Fewer groups than the queries before (every key non-NULL): stale entries would show up as NULL keys or
            // inflated counts and sums.
            foreach (int keys in (int[])[5_000, 70_000])
            {
                BatchSchema schema = new(new Field("k", LogicalType.Int), new Field("v", LogicalType.Int));
                List<object?[]> rows = [];
                for (int i = 0; i < 2 * keys + 17; i++)
                {
                    rows.Add([(long)((i * 7_919L) % keys), (long)(i % 3)]);
                }
                LogicalScan scan = ScanOf(Table(schema, 4, rows));
                List<object?[]> expected = [.. rows.GroupBy(r => (long)r[0]!).Select(g => new object?[]
                {
                    g.Key, (long)g.Count(), g.Sum(r => (long)r[1]!), g.Max(r => (long)r[1]!),
                })];
                Assert.Equal(Sorted(expected), Sorted(Run(GroupBy(scan, [Column(scan, 0)], Aggregate("count"), Aggregate("sum", Column(scan, 1)),
                    Aggregate("max", Column(scan, 1))), threads)));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_failed_aggregate_returns_its_arrays_once_and_the_next_query_is_exact(int threads)
    {
        // Every key's sum overflows (in a worker's update or in the merge, wherever its rows meet): the query fails
        // with its tables, states and buffered rows rented. Whatever it releases must be returned once — an array
        // returned twice would be rented to two tables of the next query, which would then disagree with LINQ.
        BatchSchema schema = new(new Field("k", LogicalType.Int), new Field("v", LogicalType.Int));
        List<object?[]> overflowing = [];
        for (int i = 0; i < 200_000; i++)
        {
            overflowing.Add([(long)(i % 100_000), (long.MaxValue / 2) + 1]);
        }
        LogicalScan failing = ScanOf(Table(schema, 6, overflowing));
        QueryException error = Assert.Throws<QueryException>(() => Run(GroupBy(failing, [Column(failing, 0)], Aggregate("sum", Column(failing, 1))), threads));
        Assert.True(error.Kind == ErrorKind.OutOfRange, error.ToString());

        List<object?[]> rows = [];
        for (int i = 0; i < 250_000; i++)
        {
            rows.Add([(long)((i * 7_919L) % 120_000), (long)(i % 13)]);
        }
        LogicalScan scan = ScanOf(Table(schema, 6, rows));
        List<object?[]> expected = [.. rows.GroupBy(r => (long)r[0]!).Select(g => new object?[] { g.Key, (long)g.Count(), g.Sum(r => (long)r[1]!) })];
        Assert.Equal(Sorted(expected), Sorted(Run(GroupBy(scan, [Column(scan, 0)], Aggregate("count"), Aggregate("sum", Column(scan, 1))), threads)));
    }

    [Fact]
    public void Partitions_failing_at_once_on_two_threads_give_one_error_of_their_own_kind()
    {
        // The first two partitions claimed wait for each other, then both fail: the merge must rethrow one of the
        // failures as it was, not an AggregateException (which a query reports as an internal error).
        using CountdownEvent both = new(2);
        int claimed = 0;
        int merged = 0;
        QueryException error = Assert.Throws<QueryException>(() => GroupMerge.ForEachPartition(3, partition =>
        {
            Interlocked.Increment(ref merged);
            if (Interlocked.Increment(ref claimed) <= 2)
            {
                both.Signal();
                Assert.True(both.Wait(TimeSpan.FromSeconds(30)), "two merge threads never ran at once");
            }
            throw new QueryException(ErrorKind.OutOfRange, $"partition {partition} overflows");
        }, CancellationToken.None));
        Assert.Equal(ErrorKind.OutOfRange, error.Kind);
        // A failure stops the other threads from claiming partitions: at most one more each after the two.
        Assert.InRange(merged, 2, 3);
    }

    [Fact]
    public void A_released_group_table_returns_its_arrays_once_and_reads_none_of_them_again()
    {
        // 5 000 groups: the group hashes are a rented ulong[8192]. Released twice, they must be in the pool once: two
        // rents of that size then give two different arrays (a second return would hand the same one out twice).
        GroupTable table = new([LogicalType.Int]);
        ColumnVector keys = new(LogicalType.Int, Batch.Capacity);
        int[] groupIds = new int[Batch.Capacity];
        for (int start = 0; start < 5_000; start += Batch.Capacity)
        {
            int count = Math.Min(Batch.Capacity, 5_000 - start);
            for (int i = 0; i < count; i++)
            {
                RowValues.Set(keys, i, (long)(start + i));
            }
            table.FindOrAdd([keys], count, default, groupIds);
        }
        Assert.Equal(5_000, table.GroupCount);
        table.Release();
        table.Release();

        ulong[] first = WorkingArrayPool<ulong>.Shared.Rent(8_192);
        ulong[] second = WorkingArrayPool<ulong>.Shared.Rent(8_192);
        Assert.NotSame(first, second);
        WorkingArrayPool<ulong>.Return(ref first);
        WorkingArrayPool<ulong>.Return(ref second);
        Assert.Empty(first);
        Assert.ThrowsAny<Exception>(() => table.PartitionOf(0, GroupMerge.PartitionBits));
        keys.Release();
    }

    /// <summary>The int whose <see cref="HashKernels.HashInt64"/> is <see cref="HashKernels.NullHash"/>: fmix64 undone.</summary>
    private static long ValueHashingLikeNull()
    {
        const ulong Seed = 0x9E37_79B9_7F4A_7C15;
        ulong x = HashKernels.NullHash;
        x ^= x >> 33;
        x *= MultiplicativeInverse(0xC4CE_B9FE_1A85_EC53);
        x ^= x >> 33;
        x *= MultiplicativeInverse(0xFF51_AFD7_ED55_8CCD);
        x ^= x >> 33;
        return (long)(x ^ Seed);
    }

    private static ulong MultiplicativeInverse(ulong odd)
    {
        ulong inverse = odd;
        for (int i = 0; i < 5; i++)
        {
            inverse *= 2 - (odd * inverse);
        }
        return inverse;
    }
}
