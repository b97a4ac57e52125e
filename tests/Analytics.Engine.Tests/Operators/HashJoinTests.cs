using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Operators.Join;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;
using static Analytics.Engine.Tests.Execution.ExecutionHarness;

namespace Analytics.Engine.Tests.Operators;

public class HashJoinTests
{
    private static readonly BatchSchema s_left = new(new Field("k", LogicalType.Int), new Field("a", LogicalType.Int));
    private static readonly BatchSchema s_right = new(new Field("k", LogicalType.Int), new Field("b", LogicalType.Int));

    /// <summary>
    /// Random keys with NULLs and duplicates (or unique right keys: at most one match per probe row, the lookup case),
    /// several splits per table, one or three threads, either input the smaller one (so either is built): the joined
    /// rows equal a nested-loop evaluation of the same condition in C#.
    /// </summary>
    [Theory]
    [InlineData(JoinType.Inner, 1, 300, 3000, false)]
    [InlineData(JoinType.Inner, 3, 3000, 300, false)]
    [InlineData(JoinType.Inner, 3, 3000, 300, true)]
    [InlineData(JoinType.Left, 3, 300, 3000, false)]
    [InlineData(JoinType.Left, 3, 3000, 300, false)]
    [InlineData(JoinType.Left, 3, 3000, 300, true)]
    [InlineData(JoinType.Right, 1, 3000, 300, false)]
    [InlineData(JoinType.Right, 3, 300, 3000, false)]
    [InlineData(JoinType.Right, 3, 3000, 300, true)]
    [InlineData(JoinType.Full, 3, 300, 3000, false)]
    [InlineData(JoinType.Full, 3, 3000, 300, false)]
    [InlineData(JoinType.Full, 3, 3000, 1000, true)]
    public void Hash_join_matches_a_nested_loop_reference(JoinType type, int threads, int leftRows, int rightRows, bool uniqueRightKeys)
    {
        Random random = new(leftRows * 31 + rightRows + (int)type);
        List<object?[]> left = RandomRows(random, leftRows, unique: false);
        List<object?[]> right = RandomRows(random, rightRows, uniqueRightKeys);
        LogicalScan leftScan = ScanOf(Table(s_left, 4, left));
        LogicalScan rightScan = ScanOf(Table(s_right, 4, right));
        // l.k = r.k AND l.a < r.b: an equi-key plus a residual.
        BoundExpression condition = new BoundConjunctionExpression(true,
        [
            new BoundBinaryExpression(BinaryOperator.Equal, Column(leftScan, 0), new BoundColumnReference(2, "k", LogicalType.Int), LogicalType.Boolean),
            new BoundBinaryExpression(BinaryOperator.Less, Column(leftScan, 1), new BoundColumnReference(3, "b", LogicalType.Int), LogicalType.Boolean),
        ]);
        LogicalJoin join = new(type, leftScan, rightScan, condition);
        // An ORDER BY sink lets the probe pipeline run on every thread.
        LogicalOrder ordered = new(join, [.. Enumerable.Range(0, 4).Select(c => new BoundOrderItem(new BoundColumnReference(c, "c", LogicalType.Int), false, false))]);

        List<object?[]> actual = Run(ordered, threads);

        Assert.Equal(Sorted(Reference(type, left, right)), Sorted(actual));
    }

    /// <summary>
    /// A low-cardinality string key is scanned dictionary-encoded: the probe hashes and compares dictionary entries,
    /// and must find exactly the flat build rows with equal bytes (duplicated build keys, a key absent on either side, NULLs).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Dictionary_string_probe_keys_match_the_build_rows_with_equal_bytes(int threads)
    {
        BatchSchema leftSchema = new(new Field("k", LogicalType.String), new Field("a", LogicalType.Int));
        BatchSchema rightSchema = new(new Field("k", LogicalType.String), new Field("b", LogicalType.Int));
        string?[] keys = ["x", "y", "z", null, "xy"];
        List<object?[]> left = [.. Enumerable.Range(0, 6000).Select(i => new object?[] { keys[i % keys.Length], (long)i })];
        List<object?[]> right = [["x", 1L], ["y", 2L], ["y", 3L], ["w", 4L], [null, 5L]];
        LogicalScan leftScan = ScanOf(Table(leftSchema, 3, left));
        LogicalScan rightScan = ScanOf(Table(rightSchema, 1, right));
        BoundExpression condition = new BoundBinaryExpression(BinaryOperator.Equal, Column(leftScan, 0),
            new BoundColumnReference(2, "k", LogicalType.String), LogicalType.Boolean);
        LogicalJoin join = new(JoinType.Inner, leftScan, rightScan, condition);
        LogicalOrder ordered = new(join, [new BoundOrderItem(new BoundColumnReference(1, "a", LogicalType.Int), false, false),
            new BoundOrderItem(new BoundColumnReference(3, "b", LogicalType.Int), false, false)]);

        List<object?[]> expected = [.. left.SelectMany(l => right.Where(r => l[0] is not null && Equals(l[0], r[0])).Select(r => new object?[] { l[0], l[1], r[0], r[1] }))];
        Assert.Equal(Sorted(expected), Sorted(Run(ordered, threads)));
        Assert.Equal(1200 * 3, expected.Count);
    }

    /// <summary>
    /// A lookup into a small build side hands its string columns on as codes into the build column: grouping by such an
    /// attribute (NULL for some build rows, with probe rows that find no build row) counts what copied strings would.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Grouping_by_a_looked_up_string_attribute_counts_each_value_and_null(int threads)
    {
        BatchSchema leftSchema = new(new Field("k", LogicalType.String), new Field("a", LogicalType.Int));
        BatchSchema rightSchema = new(new Field("k", LogicalType.String), new Field("team", LogicalType.String));
        string?[] keys = ["x", "y", "z", null, "q"];
        List<object?[]> left = [.. Enumerable.Range(0, 6000).Select(i => new object?[] { keys[i % keys.Length], (long)i })];
        List<object?[]> right = [["x", "team-a"], ["y", null], ["z", "team-a"], ["w", "team-b"]];
        LogicalScan leftScan = ScanOf(Table(leftSchema, 3, left));
        LogicalScan rightScan = ScanOf(Table(rightSchema, 1, right));
        BoundExpression condition = new BoundBinaryExpression(BinaryOperator.Equal, Column(leftScan, 0),
            new BoundColumnReference(2, "k", LogicalType.String), LogicalType.Boolean);
        LogicalJoin join = new(JoinType.Left, leftScan, rightScan, condition);
        LogicalAggregate byTeam = GroupBy(join, [Column(join, 3)], Aggregate("count"));

        Assert.Equal(Sorted([["team-a", 2400L], [null, 3600L]]), Sorted(Run(byTeam, threads)));
    }

    /// <summary>The allocation budget: a warmed probe allocates nothing per batch, also when one input row has many matches.</summary>
    [Fact]
    public void Steady_state_probe_allocates_zero_bytes_per_batch()
    {
        List<object?[]> buildRows = [];
        for (int r = 0; r < 5000; r++)
        {
            buildRows.Add([(long)(r % 1000), (long)r]);
        }
        List<object?[]> probeRows = [];
        for (int r = 0; r < Batch.Capacity; r++)
        {
            probeRows.Add([r % 7 == 0 ? null : (long)(r % 1500), (long)r]);
        }
        Batch buildBatch = Storage.TableRows.ToBatch(s_right, buildRows.Take(Batch.Capacity).ToList());
        Batch probeBatch = Storage.TableRows.ToBatch(s_left, probeRows);
        QueryContext context = new(new EngineOptions(), EvaluationContext.ForNow(), CancellationToken.None);
        PhysicalJoinBuild build = new(s_right, [new BoundColumnReference(0, "k", LogicalType.Int)], tracksMatches: true);
        SinkState buildState = build.CreateGlobalState(context);
        context.Register(build, buildState);
        using (SinkLocalState local = build.CreateLocalState(buildState, context))
        {
            local.Sink(buildBatch);
            buildState.Combine(local);
        }
        buildState.Finish();
        BatchSchema joined = new(s_left.Fields.AddRange(s_right.Fields));
        BoundExpression residual = new BoundBinaryExpression(BinaryOperator.Less, new BoundColumnReference(1, "a", LogicalType.Int),
            new BoundColumnReference(3, "b", LogicalType.Int), LogicalType.Boolean);
        PhysicalJoinProbe probe = new(build, JoinType.Full, buildIsLeft: false, [new BoundColumnReference(0, "k", LogicalType.Int)], residual, joined);
        using OperatorState state = probe.CreateState(null, context, new PipelineControl());

        long warmRows = ProbeAll(state, probeBatch);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long rows = 0;
        for (int n = 0; n < 50; n++)
        {
            rows += ProbeAll(state, probeBatch);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(warmRows * 50, rows);
        Assert.True(warmRows > Batch.Capacity, "one probe batch should produce several output batches");
        buildState.Dispose();
    }

    private static long ProbeAll(OperatorState state, Batch input)
    {
        input.ClearSelection();
        long rows = state.Execute(input)?.Count ?? 0;
        while (state.HasMoreOutput)
        {
            rows += state.Continue()?.Count ?? 0;
        }
        return rows;
    }

    private static List<object?[]> RandomRows(Random random, int count, bool unique)
    {
        List<object?[]> rows = [];
        for (int r = 0; r < count; r++)
        {
            object? key = random.Next(10) == 0 ? null : unique ? (long)r : (long)random.Next(count / 3 + 1);
            object? value = random.Next(20) == 0 ? null : (long)random.Next(100);
            rows.Add([key, value]);
        }
        return rows;
    }

    /// <summary>The join by definition: every pair where both comparisons are TRUE, then each side's unmatched rows as the join kind asks.</summary>
    private static List<object?[]> Reference(JoinType type, List<object?[]> left, List<object?[]> right)
    {
        List<object?[]> rows = [];
        bool[] rightMatched = new bool[right.Count];
        foreach (object?[] l in left)
        {
            bool matched = false;
            for (int j = 0; j < right.Count; j++)
            {
                object?[] r = right[j];
                if (l[0] is long lk && r[0] is long rk && lk == rk && l[1] is long a && r[1] is long b && a < b)
                {
                    rows.Add([l[0], l[1], r[0], r[1]]);
                    matched = true;
                    rightMatched[j] = true;
                }
            }
            if (!matched && type is JoinType.Left or JoinType.Full)
            {
                rows.Add([l[0], l[1], null, null]);
            }
        }
        if (type is JoinType.Right or JoinType.Full)
        {
            for (int j = 0; j < right.Count; j++)
            {
                if (!rightMatched[j])
                {
                    rows.Add([null, null, right[j][0], right[j][1]]);
                }
            }
        }
        return rows;
    }
}
