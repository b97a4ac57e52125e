using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;
using Analytics.Engine.Binding;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Optimization.Rules;
using Analytics.Engine.Sketches;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// Creates the accumulator of an aggregate call: the scopeql.md §3.1 aggregates beyond count/sum/avg/min/max live
/// here. Parameters such as <c>n =&gt;</c> and <c>quantile =&gt;</c> must be constants and are read once; only the
/// leading value arguments (<see cref="Accumulator.InputCount"/>) are evaluated per batch.
/// </summary>
internal static class AggregateAccumulators
{
    /// <summary>
    /// For each aggregate, the index of an earlier one whose accumulator keeps the state it needs, or -1: a sum(float)
    /// and an avg of the same argument both keep a sum and a count per group, so the second reads the first's
    /// (<see cref="SharedFloatSum"/>) and the argument is evaluated and summed once.
    /// </summary>
    public static int[] SharedStates(ImmutableArray<BoundAggregateExpression> aggregates)
    {
        int[] shared = new int[aggregates.Length];
        for (int i = 0; i < shared.Length; i++)
        {
            shared[i] = -1;
            for (int j = 0; j < i && shared[i] < 0; j++)
            {
                if (shared[j] < 0 && IsFloatSum(aggregates[i]) && IsFloatSum(aggregates[j])
                    && BoundExpressionEquality.Same(aggregates[i].Arguments[0], aggregates[j].Arguments[0]))
                {
                    shared[i] = j;
                }
            }
        }
        return shared;
    }

    /// <summary>The accumulator of <paramref name="aggregate"/>, which reads the state of <paramref name="state"/> (see <see cref="SharedStates"/>).</summary>
    public static Accumulator Share(BoundAggregateExpression aggregate, Accumulator state) =>
        new SharedFloatSum((FloatSumAccumulator)state, average: (AggregateKind)aggregate.Function.Implementation == AggregateKind.Avg);

    /// <summary>sum(float) or avg: the aggregates <see cref="FloatSumAccumulator"/> computes.</summary>
    private static bool IsFloatSum(BoundAggregateExpression aggregate) => (AggregateKind)aggregate.Function.Implementation switch
    {
        AggregateKind.Avg => true,
        AggregateKind.Sum => aggregate.Arguments[0].Type.Id == TypeId.Float,
        _ => false,
    };

    public static Accumulator Create(BoundAggregateExpression aggregate)
    {
        AggregateKind kind = (AggregateKind)aggregate.Function.Implementation;
        LogicalType input = aggregate.Arguments.IsEmpty ? LogicalType.Null : aggregate.Arguments[0].Type;
        string name = aggregate.Function.Name;
        return kind switch
        {
            AggregateKind.ApproxCountDistinct => new ApproxCountDistinctAccumulator(),
            AggregateKind.Quantile => new ExactQuantileAccumulator(Fraction(aggregate, 1)),
            AggregateKind.ApproxQuantile => new ApproxQuantileAccumulator(Fraction(aggregate, 1)),
            AggregateKind.MinN => new TopNAccumulator(input, Limit(aggregate, 1), isMin: true),
            AggregateKind.MaxN => new TopNAccumulator(input, Limit(aggregate, 1), isMin: false),
            AggregateKind.MinBy => new ByKeyAccumulator(input, aggregate.Arguments[1].Type, isMin: true),
            AggregateKind.MaxBy => new ByKeyAccumulator(input, aggregate.Arguments[1].Type, isMin: false),
            AggregateKind.Mode => new ModeAccumulator(input),
            AggregateKind.First => new EndValueAccumulator(last: false, skipNulls: false),
            AggregateKind.Last => new EndValueAccumulator(last: true, skipNulls: false),
            AggregateKind.FirstValue => new EndValueAccumulator(last: false, skipNulls: true),
            AggregateKind.LastValue => new EndValueAccumulator(last: true, skipNulls: true),
            AggregateKind.ArrayAgg => new ArrayAggAccumulator(input),
            AggregateKind.ObjectAgg => new ObjectAggAccumulator(aggregate.Arguments[1].Type),
            AggregateKind.Schema => new SchemaAccumulator(),
            AggregateKind.Track => new TrackAccumulator(input, aggregate.Arguments[1].Type),
            AggregateKind.VariancePop or AggregateKind.VarianceSamp or AggregateKind.StddevPop or AggregateKind.StddevSamp =>
                new MomentsAccumulator(kind),
            _ => Accumulator.Create(kind, input, aggregate.Type),
        };

        double Fraction(BoundAggregateExpression call, int index)
        {
            object? value = Constant(call, index);
            double q = value is double d ? d : ThrowHelper.Throw<double>(ErrorKind.InvalidInput, $"{name}(): quantile must not be NULL");
            return q is >= 0 and <= 1 ? q : ThrowHelper.Throw<double>(ErrorKind.InvalidInput, $"{name}(): quantile must be between 0 and 1, got {q}");
        }

        int Limit(BoundAggregateExpression call, int index)
        {
            object? value = Constant(call, index);
            long n = value is long l ? l : ThrowHelper.Throw<long>(ErrorKind.InvalidInput, $"{name}(): n must not be NULL");
            return n is > 0 and <= 100_000 ? (int)n : ThrowHelper.Throw<int>(ErrorKind.InvalidInput, $"{name}(): n must be between 1 and 100000, got {n}");
        }

        object? Constant(BoundAggregateExpression call, int index) =>
            ConstantFoldingRule.Fold(call.Arguments[index]) is BoundConstant constant
                ? constant.Value
                : ThrowHelper.Throw<object?>(ErrorKind.InvalidInput, $"{name}(): argument {call.Function.Parameters[index].Name} must be a constant");
    }
}

/// <summary>Helpers shared by the per-group value accumulators.</summary>
internal abstract class RowAccumulator : Accumulator
{
    protected static int RowOf(int k, ReadOnlySpan<int> selection) => selection.IsEmpty ? k : selection[k];

    protected static bool IsNull(ColumnVector input, int row) => input.Type.Id == TypeId.Null || input.IsNullAt(row);

    protected static double ReadDouble(ColumnVector input, int row)
    {
        ValueReader.Locate(input, row, out ColumnVector values, out int index);
        return values.GetData<double>()[index];
    }

    /// <summary>Writes a variant built in <paramref name="builder"/> as the group's result.</summary>
    protected static void WriteVariant(ColumnVector output, int row, VariantBuilder builder)
    {
        output.SetBytes(row, builder.Finish());
        output.Validity.SetValid(row);
    }
}

/// <summary>
/// approx_count_distinct: one HyperLogLog per group (created on the group's first non-NULL value). 2^16 registers give a
/// 0.41% standard error (a 2% error is a 5-sigma event); they cost 64 KB only for groups past 4,096 distinct values,
/// since smaller groups stay in the sketch's exact sparse phase (at most 16 bytes per distinct value).
/// </summary>
internal sealed class ApproxCountDistinctAccumulator : RowAccumulator
{
    private const int Bits = 16;
    private HyperLogLog?[] _sketches = [];

    protected override void Resize(int size) => Array.Resize(ref _sketches, size);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null)
        {
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            if (IsNull(input, row))
            {
                continue;
            }
            ref HyperLogLog? sketch = ref _sketches[groupIds[k]];
            sketch ??= new HyperLogLog(Bits);
            sketch.Add(StoredValue.HashAt(input, row));
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        HyperLogLog?[] from = ((ApproxCountDistinctAccumulator)other)._sketches;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            if (from[g] is { } sketch)
            {
                ref HyperLogLog? target = ref _sketches[targets[i]];
                if (target is null)
                {
                    target = sketch;
                }
                else
                {
                    target.Merge(sketch);
                }
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        output.Validity.SetValid(row);
        output.GetData<long>()[row] = _sketches[group]?.Estimate() ?? 0;
    }
}

/// <summary>
/// quantile: every non-NULL value of a group in a list of chunks (<see cref="GroupValues"/>), appended straight from
/// the batch's flat values; <c>Write</c> finds the ranks around q·(n-1) over the chunks in linear time
/// (<see cref="QuantileSketch.Interpolate(ReadOnlySpan{double[]}, ReadOnlySpan{double}, double)"/>). Chunks rather
/// than one growable array per group: growing by doubling copied every value about once more, merging workers copied
/// the other worker's values again, and the fresh zeroed arrays cost page faults and memsets (together about a third
/// of p95_latency_by_source under `perf record`); chunks are never copied, and merging moves references.
/// </summary>
internal sealed class ExactQuantileAccumulator(double quantile) : RowAccumulator
{
    /// <summary>
    /// The large value chunks of every exact quantile in the process (16k to 64k doubles, the sizes that go to the
    /// large object heap), at most 256 of a size kept (128 MiB of the largest, ~16M values of queries running at once).
    /// </summary>
    private static readonly ArrayPool<double> s_chunks = ArrayPool<double>.Create(GroupValues.MaxChunk, 256);

    private GroupValues?[] _values = [];
    private readonly ColumnVector _scratch = new(LogicalType.Float, Batch.Capacity);

    protected override void Resize(int size) => Array.Resize(ref _values, size);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        ColumnVector flat = Flatten(input, _scratch, count, ref selection);
        ReadOnlySpan<double> data = flat.GetData<double>();
        bool allValid = flat.Validity.AllValid;
        bool dense = selection.IsEmpty;
        GroupValues?[] values = _values;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (allValid || !flat.Validity.IsNull(row))
            {
                (values[groupIds[k]] ??= new GroupValues()).Add(data[row]);
            }
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        GroupValues?[] from = ((ExactQuantileAccumulator)other)._values;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            if (from[otherGroups[i]] is not { } incoming)
            {
                continue;
            }
            ref GroupValues? target = ref _values[targets[i]];
            if (target is null)
            {
                // The first state for this group: take it over instead of copying it.
                target = incoming;
            }
            else
            {
                target.AddRange(incoming);
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (_values[group] is not { } values)
        {
            RowValues.Set(output, row, null);
            return;
        }
        output.Validity.SetValid(row);
        output.GetData<double>()[row] = values.Quantile(quantile);
    }

    /// <summary>
    /// One group's values: full chunks, then the chunk being filled. Chunks start small (most groups of a many-group
    /// query hold few values) and double up to <see cref="MaxChunk"/> values. The large ones are rented from
    /// <see cref="s_chunks"/> and returned once the group's quantile is known: at 10M values a query fills ~150
    /// chunks of 512 KiB, and allocating them afresh put ~80 MB a run on the large object heap, which only full (gen2)
    /// collections reclaim — of whatever heap the process holds (in the comparison's process, the one its load left).
    /// Pooled, p95_latency_by_source's measured runs there allocate ~6 MB each and cause no gen2 collection.
    /// </summary>
    private sealed class GroupValues
    {
        /// <summary>64k doubles (512 KiB): large enough that a chunk's bookkeeping is nothing per value.</summary>
        public const int MaxChunk = 1 << 16;

        /// <summary>Chunks from this size on (128 KiB) are pooled; smaller ones are cheap young objects (and many groups have only those).</summary>
        private const int PooledChunk = 1 << 14;

        private readonly List<double[]> _full = [];
        private double[] _current = new double[16];
        private int _filled;
        private double? _quantile;

        public ReadOnlySpan<double> Last => _current.AsSpan(0, _filled);

        /// <summary>
        /// The q-quantile of the values; the first call computes it and returns the chunks to the pool (a Top-N over
        /// the aggregate may write a group twice).
        /// </summary>
        public double Quantile(double q)
        {
            if (_quantile is { } known)
            {
                return known;
            }
            double result = QuantileSketch.Interpolate(CollectionsMarshal.AsSpan(_full), Last, q);
            foreach (double[] chunk in _full)
            {
                ReturnChunk(chunk);
            }
            _full.Clear();
            ReturnChunk(_current);
            _current = [];
            _filled = 0;
            _quantile = result;
            return result;
        }

        public void Add(double value)
        {
            if (_filled == _current.Length)
            {
                NextChunk();
            }
            _current[_filled++] = value;
        }

        /// <summary>Takes <paramref name="other"/>'s full chunks over and copies only its partly filled one (then returned).</summary>
        public void AddRange(GroupValues other)
        {
            _full.AddRange(other._full);
            other._full.Clear();
            foreach (double value in other.Last)
            {
                Add(value);
            }
            ReturnChunk(other._current);
            other._current = [];
            other._filled = 0;
        }

        private void NextChunk()
        {
            _full.Add(_current);
            int size = Math.Min(MaxChunk, _current.Length * 2);
            _current = size >= PooledChunk ? s_chunks.Rent(size) : GC.AllocateUninitializedArray<double>(size);
            _filled = 0;
        }

        private static void ReturnChunk(double[] chunk)
        {
            if (chunk.Length >= PooledChunk)
            {
                s_chunks.Return(chunk);
            }
        }
    }
}

/// <summary>approx_quantile: one mergeable KLL sketch per group.</summary>
internal sealed class ApproxQuantileAccumulator(double quantile) : RowAccumulator
{
    private QuantileSketch?[] _sketches = [];

    protected override void Resize(int size) => Array.Resize(ref _sketches, size);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            if (!input.IsNullAt(row))
            {
                (_sketches[groupIds[k]] ??= new QuantileSketch()).Add(ReadDouble(input, row));
            }
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        QuantileSketch?[] from = ((ApproxQuantileAccumulator)other)._sketches;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            if (from[g] is { } sketch)
            {
                ref QuantileSketch? target = ref _sketches[targets[i]];
                if (target is null)
                {
                    target = sketch;
                }
                else
                {
                    target.Merge(sketch);
                }
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (_sketches[group] is not { Count: > 0 } sketch)
        {
            RowValues.Set(output, row, null);
            return;
        }
        output.Validity.SetValid(row);
        output.GetData<double>()[row] = sketch.Quantile(quantile);
    }
}

/// <summary>
/// min/max with n: the n smallest (largest) non-NULL values as an array in that order, like ORDER BY … LIMIT n. Each
/// group buffers up to 2n values and cuts back to n when full, so memory stays O(n) per group.
/// </summary>
internal sealed class TopNAccumulator(LogicalType type, int n, bool isMin) : RowAccumulator
{
    private List<StoredValue>?[] _values = [];
    private readonly Comparison<StoredValue> _order = isMin
        ? (a, b) => StoredValue.Compare(a, b, type)
        : (a, b) => StoredValue.Compare(b, a, type);

    protected override void Resize(int size) => Array.Resize(ref _values, size);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            if (!input.IsNullAt(row))
            {
                Add(ref _values[groupIds[k]], StoredValue.Read(input, row));
            }
        }
    }

    private void Add(ref List<StoredValue>? values, StoredValue value)
    {
        values ??= [];
        values.Add(value);
        if (values.Count >= 2 * n)
        {
            Cut(values);
        }
    }

    private void Cut(List<StoredValue> values)
    {
        values.Sort(_order);
        if (values.Count > n)
        {
            values.RemoveRange(n, values.Count - n);
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        List<StoredValue>?[] from = ((TopNAccumulator)other)._values;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            if (from[g] is { } values)
            {
                foreach (StoredValue value in values)
                {
                    Add(ref _values[targets[i]], value);
                }
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (_values[group] is not { Count: > 0 } values)
        {
            RowValues.Set(output, row, null);
            return;
        }
        Cut(values);
        VariantBuilder builder = VariantValues.ScratchBuilder;
        builder.Reset();
        builder.StartArray();
        foreach (StoredValue value in values)
        {
            value.WriteTo(builder, type);
        }
        builder.EndArray();
        WriteVariant(output, row, builder);
    }
}

/// <summary>min_by/max_by(ret, key): ret from the row with the smallest (largest) non-NULL key; the first such row wins ties.</summary>
internal sealed class ByKeyAccumulator(LogicalType returnType, LogicalType keyType, bool isMin) : RowAccumulator
{
    private StoredValue[] _keys = [];
    private StoredValue[] _results = [];
    private bool[] _seen = [];

    public override int InputCount => 2;

    protected override void Resize(int size)
    {
        Array.Resize(ref _keys, size);
        Array.Resize(ref _results, size);
        Array.Resize(ref _seen, size);
    }

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection) =>
        throw new QueryException(ErrorKind.Internal, "min_by/max_by need their key column (this is a bug)");

    public override void Update(ReadOnlySpan<ColumnVector?> inputs, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector results = inputs[0]!;
        ColumnVector keys = inputs[1]!;
        if (keys.Type.Id == TypeId.Null)
        {
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            if (keys.IsNullAt(row))
            {
                continue;
            }
            int group = groupIds[k];
            // Compared in place: only a new best key is copied out of the batch.
            if (!_seen[group] || Better(StoredValue.CompareAt(keys, row, _keys[group], keyType)))
            {
                _seen[group] = true;
                _keys[group] = StoredValue.Read(keys, row);
                _results[group] = StoredValue.Read(results, row);
            }
        }
    }

    private bool Better(int order) => isMin ? order < 0 : order > 0;

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        ByKeyAccumulator from = (ByKeyAccumulator)other;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            int target = targets[i];
            if (from._seen[g] && (!_seen[target] || Better(StoredValue.Compare(from._keys[g], _keys[target], keyType))))
            {
                _seen[target] = true;
                _keys[target] = from._keys[g];
                _results[target] = from._results[g];
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (!_seen[group] || returnType.Id == TypeId.Null)
        {
            RowValues.Set(output, row, null);
            return;
        }
        _results[group].WriteTo(output, row);
    }
}

/// <summary>mode: counts per distinct non-NULL value; among equally frequent values the smallest wins (deterministic).</summary>
internal sealed class ModeAccumulator(LogicalType type) : RowAccumulator
{
    private Dictionary<StoredValue, long>?[] _counts = [];
    private readonly StoredValueComparer _comparer = new(type);

    protected override void Resize(int size) => Array.Resize(ref _counts, size);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            if (!input.IsNullAt(row))
            {
                Dictionary<StoredValue, long> counts = _counts[groupIds[k]] ??= new Dictionary<StoredValue, long>(_comparer);
                StoredValue value = StoredValue.Read(input, row);
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        Dictionary<StoredValue, long>?[] from = ((ModeAccumulator)other)._counts;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            if (from[g] is not { } source)
            {
                continue;
            }
            Dictionary<StoredValue, long> counts = _counts[targets[i]] ??= new Dictionary<StoredValue, long>(_comparer);
            foreach ((StoredValue value, long count) in source)
            {
                counts[value] = counts.GetValueOrDefault(value) + count;
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (_counts[group] is not { Count: > 0 } counts)
        {
            RowValues.Set(output, row, null);
            return;
        }
        StoredValue best = default;
        long bestCount = 0;
        foreach ((StoredValue value, long count) in counts)
        {
            if (count > bestCount || (count == bestCount && StoredValue.Compare(value, best, type) < 0))
            {
                best = value;
                bestCount = count;
            }
        }
        best.WriteTo(output, row);
    }
}

internal sealed class StoredValueComparer(LogicalType type) : IEqualityComparer<StoredValue>
{
    public bool Equals(StoredValue x, StoredValue y) => StoredValue.Equal(x, y, type);

    public int GetHashCode(StoredValue obj) => (int)StoredValue.Hash(obj, type);
}

/// <summary>
/// first/last (NULLs count) and first_value/last_value (NULLs skipped) in input order. Each worker sees its rows in
/// order; partial states combine in the order workers finish, so on input split across workers "first" is the first
/// row of the first worker to finish (WITHIN GROUP ORDER BY is the way to a defined order).
/// </summary>
internal sealed class EndValueAccumulator(bool last, bool skipNulls) : RowAccumulator
{
    private StoredValue[] _values = [];
    private bool[] _seen = [];

    protected override void Resize(int size)
    {
        Array.Resize(ref _values, size);
        Array.Resize(ref _seen, size);
    }

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null)
        {
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            int group = groupIds[k];
            if ((skipNulls && IsNull(input, row)) || (!last && _seen[group]))
            {
                continue;
            }
            _values[group] = StoredValue.Read(input, row);
            _seen[group] = true;
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        EndValueAccumulator from = (EndValueAccumulator)other;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            int target = targets[i];
            if (from._seen[g] && (last || !_seen[target]))
            {
                _values[target] = from._values[g];
                _seen[target] = true;
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (!_seen[group])
        {
            RowValues.Set(output, row, null);
            return;
        }
        _values[group].WriteTo(output, row);
    }
}

/// <summary>array_agg: the non-NULL values in input order (across workers, in combine order); no values gives NULL.</summary>
internal sealed class ArrayAggAccumulator(LogicalType type) : RowAccumulator
{
    private List<StoredValue>?[] _values = [];

    protected override void Resize(int size) => Array.Resize(ref _values, size);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            if (!input.IsNullAt(row))
            {
                (_values[groupIds[k]] ??= []).Add(StoredValue.Read(input, row));
            }
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        List<StoredValue>?[] from = ((ArrayAggAccumulator)other)._values;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            if (from[g] is { } values)
            {
                (_values[targets[i]] ??= []).AddRange(values);
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (_values[group] is not { Count: > 0 } values)
        {
            RowValues.Set(output, row, null);
            return;
        }
        VariantBuilder builder = VariantValues.ScratchBuilder;
        builder.Reset();
        builder.StartArray();
        foreach (StoredValue value in values)
        {
            value.WriteTo(builder, type);
        }
        builder.EndArray();
        WriteVariant(output, row, builder);
    }
}

/// <summary>object_agg(key, value): NULL keys are skipped, NULL values kept as JSON null; a repeated key keeps its last value.</summary>
internal sealed class ObjectAggAccumulator(LogicalType valueType) : RowAccumulator
{
    private List<(byte[] Key, StoredValue Value)>?[] _entries = [];

    public override int InputCount => 2;

    protected override void Resize(int size) => Array.Resize(ref _entries, size);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection) =>
        throw new QueryException(ErrorKind.Internal, "object_agg needs its value column (this is a bug)");

    public override void Update(ReadOnlySpan<ColumnVector?> inputs, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        ColumnVector keys = inputs[0]!;
        ColumnVector values = inputs[1]!;
        if (keys.Type.Id == TypeId.Null)
        {
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            if (keys.IsNullAt(row))
            {
                continue;
            }
            (_entries[groupIds[k]] ??= []).Add((StoredValue.Read(keys, row).Bytes!, StoredValue.Read(values, row)));
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        List<(byte[], StoredValue)>?[] from = ((ObjectAggAccumulator)other)._entries;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            if (from[g] is { } entries)
            {
                (_entries[targets[i]] ??= []).AddRange(entries);
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (_entries[group] is not { Count: > 0 } entries)
        {
            RowValues.Set(output, row, null);
            return;
        }
        // The builder orders the keys and resolves a repeated key last-write-wins, which is object_agg's rule too.
        VariantBuilder builder = VariantValues.ScratchBuilder;
        builder.Reset();
        builder.StartObject();
        foreach ((byte[] key, StoredValue value) in entries)
        {
            builder.WriteKey(key);
            value.WriteTo(builder, valueType);
        }
        builder.EndObject();
        WriteVariant(output, row, builder);
    }
}

/// <summary>
/// schema(obj): the top-level keys seen in the group's objects with the type names of their values, as an array of
/// <c>{"name": key, "types": [type, …]}</c> sorted by key, types sorted by name.
/// </summary>
internal sealed class SchemaAccumulator : RowAccumulator
{
    private SortedDictionary<string, SortedSet<string>>?[] _schemas = [];

    protected override void Resize(int size) => Array.Resize(ref _schemas, size);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            if (input.IsNullAt(row))
            {
                continue;
            }
            ValueReader.Locate(input, row, out ColumnVector values, out int index);
            VariantValue value = VariantValue.Parse(values.GetBytes(index));
            if (value.Kind != VariantKind.Object)
            {
                continue;
            }
            SortedDictionary<string, SortedSet<string>> schema = _schemas[groupIds[k]] ??= new(StringComparer.Ordinal);
            for (int f = 0; f < value.ObjectCount; f++)
            {
                VariantValue field = value.GetObjectField(f, out ReadOnlySpan<byte> key);
                string name = Encoding.UTF8.GetString(key);
                if (!schema.TryGetValue(name, out SortedSet<string>? types))
                {
                    schema[name] = types = new SortedSet<string>(StringComparer.Ordinal);
                }
                types.Add(VariantPath.TypeName(field.Kind));
            }
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        SortedDictionary<string, SortedSet<string>>?[] from = ((SchemaAccumulator)other)._schemas;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            if (from[g] is not { } source)
            {
                continue;
            }
            SortedDictionary<string, SortedSet<string>> schema = _schemas[targets[i]] ??= new(StringComparer.Ordinal);
            foreach ((string name, SortedSet<string> types) in source)
            {
                if (schema.TryGetValue(name, out SortedSet<string>? existing))
                {
                    existing.UnionWith(types);
                }
                else
                {
                    schema[name] = new SortedSet<string>(types, StringComparer.Ordinal);
                }
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (_schemas[group] is not { } schema)
        {
            RowValues.Set(output, row, null);
            return;
        }
        VariantBuilder builder = VariantValues.ScratchBuilder;
        builder.Reset();
        builder.StartArray();
        foreach ((string name, SortedSet<string> types) in schema)
        {
            builder.StartObject();
            builder.WriteKey("name".AsSpan());
            builder.WriteString(name.AsSpan());
            builder.WriteKey("types".AsSpan());
            builder.StartArray();
            foreach (string type in types)
            {
                builder.WriteString(type.AsSpan());
            }
            builder.EndArray();
            builder.EndObject();
        }
        builder.EndArray();
        WriteVariant(output, row, builder);
    }
}

/// <summary>
/// variance/stddev, population or sample: Welford's running mean and sum of squared deviations per group, merged with
/// Chan's formula so parallel partial states combine without losing precision. The sample forms need two values.
/// </summary>
internal sealed class MomentsAccumulator(AggregateKind kind) : RowAccumulator
{
    private long[] _counts = [];
    private double[] _means = [];
    private double[] _squares = [];

    protected override void Resize(int size)
    {
        Array.Resize(ref _counts, size);
        Array.Resize(ref _means, size);
        Array.Resize(ref _squares, size);
    }

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        for (int k = 0; k < count; k++)
        {
            int row = RowOf(k, selection);
            if (input.IsNullAt(row))
            {
                continue;
            }
            int group = groupIds[k];
            double value = ReadDouble(input, row);
            long n = ++_counts[group];
            double delta = value - _means[group];
            _means[group] += delta / n;
            _squares[group] += delta * (value - _means[group]);
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        MomentsAccumulator from = (MomentsAccumulator)other;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            long n2 = from._counts[g];
            if (n2 == 0)
            {
                continue;
            }
            int target = targets[i];
            long n1 = _counts[target];
            long n = n1 + n2;
            double delta = from._means[g] - _means[target];
            _means[target] += delta * n2 / n;
            _squares[target] += from._squares[g] + (delta * delta * n1 * n2 / n);
            _counts[target] = n;
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        long n = _counts[group];
        bool sample = kind is AggregateKind.VarianceSamp or AggregateKind.StddevSamp;
        if (n == 0 || (sample && n < 2))
        {
            RowValues.Set(output, row, null);
            return;
        }
        double variance = _squares[group] / (sample ? n - 1 : n);
        output.Validity.SetValid(row);
        output.GetData<double>()[row] = kind is AggregateKind.StddevPop or AggregateKind.StddevSamp ? Math.Sqrt(variance) : variance;
    }
}
