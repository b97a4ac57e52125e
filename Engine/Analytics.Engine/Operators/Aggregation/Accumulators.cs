using Analytics.Engine.Execution;
using Analytics.Engine.Functions;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// The per-group state of one aggregate, as arrays indexed by group id. <see cref="Update"/> takes a batch's argument
/// values with the group id of each active row k in <c>groupIds[k]</c>; <see cref="Merge"/> folds groups of another
/// thread's state into groups of this one (a merge partition's groups at a time, so partitions merge in parallel).
/// The fixed-width states below are rented from <see cref="WorkingArrayPool{T}"/> (cleared as they grow) and go back
/// with <see cref="Release"/>; states of per-group objects (<see cref="RowAccumulator"/>) stay ordinary arrays.
/// </summary>
internal abstract class Accumulator
{
    protected int Capacity { get; private set; }

    public static Accumulator Create(AggregateKind kind, LogicalType inputType, LogicalType resultType) => kind switch
    {
        AggregateKind.CountRows => new CountAccumulator(countRows: true),
        AggregateKind.Count => new CountAccumulator(countRows: false),
        AggregateKind.Sum when inputType.Id == TypeId.Float => new FloatSumAccumulator(average: false),
        AggregateKind.Avg => new FloatSumAccumulator(average: true),
        AggregateKind.Sum when inputType.Id == TypeId.UInt => new UIntSumAccumulator(),
        AggregateKind.Sum => new IntSumAccumulator(),
        AggregateKind.Min => new ExtremumAccumulator(inputType, isMin: true),
        AggregateKind.Max => new ExtremumAccumulator(inputType, isMin: false),
        AggregateKind.CountDistinct => new CountDistinctAccumulator(),
        _ => throw new QueryException(ErrorKind.NotImplemented, $"aggregate {kind} for {inputType} -> {resultType}"),
    };

    public void EnsureCapacity(int groups)
    {
        if (groups <= Capacity)
        {
            return;
        }
        int size = Math.Max(64, Capacity);
        while (size < groups)
        {
            size *= 2;
        }
        Resize(size);
        Capacity = size;
    }

    /// <summary>Grows the state arrays to <paramref name="size"/> groups; <see cref="Capacity"/> is still the old size (the groups in use).</summary>
    protected abstract void Resize(int size);

    /// <summary>
    /// Returns the pooled state arrays once the groups are written (or the query failed); the accumulator must not be
    /// used again (its arrays are empty, and a second release returns nothing).
    /// </summary>
    public virtual void Release()
    {
    }

    public abstract void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection);

    /// <summary>How many leading arguments are evaluated per batch (the rest are constant parameters read at creation).</summary>
    public virtual int InputCount => 1;

    /// <summary>The update of aggregates over several argument columns (min_by, object_agg); the rest see the first.</summary>
    public virtual void Update(ReadOnlySpan<ColumnVector?> inputs, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection) =>
        Update(inputs.IsEmpty ? null : inputs[0], groupIds, count, selection);

    /// <summary>Folds group <paramref name="otherGroups"/>[i] of <paramref name="other"/> (another worker's state) into group <paramref name="targets"/>[i].</summary>
    public abstract void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets);

    public abstract void Write(int group, ColumnVector output, int row);

    /// <summary>A flat view of <paramref name="input"/>: itself if flat, else its active rows compacted (then dense).</summary>
    protected static ColumnVector Flatten(ColumnVector input, ColumnVector scratch, int count, ref ReadOnlySpan<int> selection)
    {
        if (input.Encoding == VectorEncoding.Flat)
        {
            return input;
        }
        GatherKernels.Compact(input, count, selection, scratch);
        selection = default;
        return scratch;
    }
}

internal sealed class CountAccumulator(bool countRows) : Accumulator
{
    private long[] _counts = [];

    protected override void Resize(int size) => WorkingArrayPool<long>.GrowCleared(ref _counts, size, Capacity);

    public override void Release() => WorkingArrayPool<long>.Return(ref _counts);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (countRows || input is null)
        {
            AggregateKernels.CountScatter(groupIds, _counts, count, selection, default);
            return;
        }
        if (input.Type.Id == TypeId.Null)
        {
            return;
        }
        if (input.IsConstant)
        {
            if (!input.IsNullAt(0))
            {
                AggregateKernels.CountScatter(groupIds, _counts, count, selection, default);
            }
            return;
        }
        AggregateKernels.CountScatter(groupIds, _counts, count, selection, input.Validity.ValidWords);
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        long[] from = ((CountAccumulator)other)._counts;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            _counts[targets[i]] += from[g];
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        output.Validity.SetValid(row);
        output.GetData<long>()[row] = _counts[group];
    }
}

/// <summary>sum(int) with overflow errors (and sum(interval)); NULL for groups without a non-NULL input.</summary>
internal sealed class IntSumAccumulator : Accumulator
{
    private long[] _sums = [];
    private long[] _counts = [];
    private readonly ColumnVector _scratch = new(LogicalType.Int, Batch.Capacity);

    protected override void Resize(int size)
    {
        WorkingArrayPool<long>.GrowCleared(ref _sums, size, Capacity);
        WorkingArrayPool<long>.GrowCleared(ref _counts, size, Capacity);
    }

    public override void Release()
    {
        WorkingArrayPool<long>.Return(ref _sums);
        WorkingArrayPool<long>.Return(ref _counts);
    }

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        ColumnVector flat = Flatten(input, _scratch, count, ref selection);
        AggregateKernels.SumScatter(flat.GetData<long>(), groupIds, _sums, count, selection, flat.Validity.ValidWords);
        AggregateKernels.CountScatter(groupIds, _counts, count, selection, flat.Validity.ValidWords);
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        IntSumAccumulator from = (IntSumAccumulator)other;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            int target = targets[i];
            _sums[target] = AddInt64Op.Apply(_sums[target], from._sums[g]);
            _counts[target] += from._counts[g];
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (_counts[group] == 0)
        {
            RowValues.Set(output, row, null);
            return;
        }
        output.Validity.SetValid(row);
        output.GetData<long>()[row] = _sums[group];
    }
}

internal sealed class UIntSumAccumulator : Accumulator
{
    private ulong[] _sums = [];
    private long[] _counts = [];
    private readonly ColumnVector _scratch = new(LogicalType.UInt, Batch.Capacity);

    protected override void Resize(int size)
    {
        WorkingArrayPool<ulong>.GrowCleared(ref _sums, size, Capacity);
        WorkingArrayPool<long>.GrowCleared(ref _counts, size, Capacity);
    }

    public override void Release()
    {
        WorkingArrayPool<ulong>.Return(ref _sums);
        WorkingArrayPool<long>.Return(ref _counts);
    }

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        ColumnVector flat = Flatten(input, _scratch, count, ref selection);
        ReadOnlySpan<ulong> values = flat.GetData<ulong>();
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (flat.Validity.IsValid(row))
            {
                int group = groupIds[k];
                _sums[group] = AddUInt64Op.Apply(_sums[group], values[row]);
                _counts[group]++;
            }
        }
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        UIntSumAccumulator from = (UIntSumAccumulator)other;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            int target = targets[i];
            _sums[target] = AddUInt64Op.Apply(_sums[target], from._sums[g]);
            _counts[target] += from._counts[g];
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        if (_counts[group] == 0)
        {
            RowValues.Set(output, row, null);
            return;
        }
        output.Validity.SetValid(row);
        output.GetData<ulong>()[row] = _sums[group];
    }
}

/// <summary>
/// sum(float) and avg (sum / count of non-NULL inputs). A sum and an avg of the same argument keep one state: the
/// second is a <see cref="SharedFloatSum"/> that writes from this one's sums and counts, so the input is read once.
/// </summary>
internal sealed class FloatSumAccumulator(bool average) : Accumulator
{
    private double[] _sums = [];
    private long[] _counts = [];
    private readonly ColumnVector _scratch = new(LogicalType.Float, Batch.Capacity);

    protected override void Resize(int size)
    {
        WorkingArrayPool<double>.GrowCleared(ref _sums, size, Capacity);
        WorkingArrayPool<long>.GrowCleared(ref _counts, size, Capacity);
    }

    public override void Release()
    {
        WorkingArrayPool<double>.Return(ref _sums);
        WorkingArrayPool<long>.Return(ref _counts);
    }

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        ColumnVector flat = Flatten(input, _scratch, count, ref selection);
        AggregateKernels.SumCountScatter(flat.GetData<double>(), groupIds, _sums, _counts, count, selection, flat.Validity.ValidWords);
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        FloatSumAccumulator from = (FloatSumAccumulator)other;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            _sums[targets[i]] += from._sums[g];
            _counts[targets[i]] += from._counts[g];
        }
    }

    public override void Write(int group, ColumnVector output, int row) => Write(group, output, row, average);

    /// <summary>The group's sum, or with <paramref name="asAverage"/> its mean; NULL for a group without a non-NULL input.</summary>
    public void Write(int group, ColumnVector output, int row, bool asAverage)
    {
        if (_counts[group] == 0)
        {
            RowValues.Set(output, row, null);
            return;
        }
        output.Validity.SetValid(row);
        output.GetData<double>()[row] = asAverage ? _sums[group] / _counts[group] : _sums[group];
    }
}

/// <summary>
/// A sum(float) or avg over the same argument as an earlier aggregate of the operator (<paramref name="state"/>, the
/// other of the pair): it has no input and no state of its own — the state's update and merge serve both — and writes
/// from the state's sums and counts.
/// </summary>
internal sealed class SharedFloatSum(FloatSumAccumulator state, bool average) : Accumulator
{
    public override int InputCount => 0;

    protected override void Resize(int size)
    {
    }

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
    }

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
    }

    public override void Write(int group, ColumnVector output, int row) => state.Write(group, output, row, average);
}

/// <summary>min/max of any orderable type: the Vector extremum kernels for numbers, a row loop for booleans and bytes.</summary>
internal sealed class ExtremumAccumulator(LogicalType type, bool isMin) : Accumulator
{
    /// <summary>Strings and binary order by bytes; variants (canonical bytes) in the Q20 order.</summary>
    private int CompareBytes(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) => type.IsVariant
        ? Analytics.Vector.Variants.VariantComparer.Compare(Analytics.Vector.Variants.VariantValue.Parse(left), Analytics.Vector.Variants.VariantValue.Parse(right))
        : left.SequenceCompareTo(right);

    private long[] _values = [];
    private bool[] _seen = [];
    private byte[]?[] _bytes = [];
    private readonly ColumnVector _scratch = new(type.Id == TypeId.Null ? LogicalType.Int : type, Batch.Capacity);

    protected override void Resize(int size)
    {
        WorkingArrayPool<long>.GrowCleared(ref _values, size, Capacity);
        WorkingArrayPool<bool>.GrowCleared(ref _seen, size, Capacity);
        if (type.Physical == PhysicalKind.VarBytes)
        {
            WorkingArrayPool<byte[]?>.GrowCleared(ref _bytes, size, Capacity);
        }
    }

    public override void Release()
    {
        WorkingArrayPool<long>.Return(ref _values);
        WorkingArrayPool<bool>.Return(ref _seen);
        WorkingArrayPool<byte[]?>.Return(ref _bytes);
    }

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        ColumnVector flat = Flatten(input, _scratch, count, ref selection);
        ReadOnlySpan<ulong> validity = flat.Validity.ValidWords;
        switch (type.Id)
        {
            case TypeId.Float:
                Span<double> doubles = System.Runtime.InteropServices.MemoryMarshal.Cast<long, double>(_values.AsSpan());
                if (isMin) { AggregateKernels.ExtremumScatter<MinExtremum>(flat.GetData<double>(), groupIds, doubles, _seen, count, selection, validity); }
                else { AggregateKernels.ExtremumScatter<MaxExtremum>(flat.GetData<double>(), groupIds, doubles, _seen, count, selection, validity); }
                return;
            case TypeId.UInt:
                Span<ulong> ulongs = System.Runtime.InteropServices.MemoryMarshal.Cast<long, ulong>(_values.AsSpan());
                if (isMin) { AggregateKernels.ExtremumScatter<MinExtremum>(flat.GetData<ulong>(), groupIds, ulongs, _seen, count, selection, validity); }
                else { AggregateKernels.ExtremumScatter<MaxExtremum>(flat.GetData<ulong>(), groupIds, ulongs, _seen, count, selection, validity); }
                return;
            case TypeId.Int or TypeId.Timestamp or TypeId.Interval:
                if (isMin) { AggregateKernels.ExtremumScatter<MinExtremum>(flat.GetData<long>(), groupIds, _values, _seen, count, selection, validity); }
                else { AggregateKernels.ExtremumScatter<MaxExtremum>(flat.GetData<long>(), groupIds, _values, _seen, count, selection, validity); }
                return;
        }
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (!flat.Validity.IsValid(row))
            {
                continue;
            }
            int group = groupIds[k];
            if (type.Physical == PhysicalKind.Bool8)
            {
                long value = flat.GetData<byte>()[row];
                if (!_seen[group] || (isMin ? value < _values[group] : value > _values[group]))
                {
                    _values[group] = value;
                    _seen[group] = true;
                }
            }
            else
            {
                ReadOnlySpan<byte> value = flat.GetBytes(row);
                if (!_seen[group] || Better(CompareBytes(value, _bytes[group])))
                {
                    _bytes[group] = value.ToArray();
                    _seen[group] = true;
                }
            }
        }
    }

    private bool Better(int order) => isMin ? order < 0 : order > 0;

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        ExtremumAccumulator from = (ExtremumAccumulator)other;
        for (int i = 0; i < otherGroups.Length; i++)
        {
            int g = otherGroups[i];
            if (!from._seen[g])
            {
                continue;
            }
            int target = targets[i];
            bool take;
            if (!_seen[target])
            {
                take = true;
            }
            else
            {
                take = type.Id switch
                {
                    TypeId.Float => Better(ValueOrder.CompareFloat(BitConverter.Int64BitsToDouble(from._values[g]), BitConverter.Int64BitsToDouble(_values[target]))),
                    TypeId.UInt => Better(((ulong)from._values[g]).CompareTo((ulong)_values[target])),
                    _ when type.Physical == PhysicalKind.VarBytes => Better(CompareBytes(from._bytes[g], _bytes[target])),
                    _ => Better(from._values[g].CompareTo(_values[target])),
                };
            }
            if (take)
            {
                _seen[target] = true;
                _values[target] = from._values[g];
                if (type.Physical == PhysicalKind.VarBytes)
                {
                    _bytes[target] = from._bytes[g];
                }
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
        output.Validity.SetValid(row);
        switch (type.Physical)
        {
            case PhysicalKind.Bool8:
                output.GetData<byte>()[row] = (byte)_values[group];
                break;
            case PhysicalKind.VarBytes:
                output.SetBytes(row, _bytes[group]);
                break;
            default:
                output.GetData<long>()[row] = _values[group];
                break;
        }
    }
}

/// <summary>
/// Exact count of distinct non-NULL values: one set of (group, value) pairs. Values are keyed by their bytes
/// (fixed-width values by their canonical 64-bit pattern), so one set serves every type.
/// </summary>
internal sealed class CountDistinctAccumulator : Accumulator
{
    private readonly HashSet<(int Group, long Value)> _fixed = [];
    // Keyed by the raw bytes (canonical for variants), probed with a span: only a new distinct value copies its bytes.
    private readonly HashSet<GroupBytes> _bytes = new(GroupBytesComparer.Instance);
    private long[] _counts = [];

    protected override void Resize(int size) => WorkingArrayPool<long>.GrowCleared(ref _counts, size, Capacity);

    public override void Release() => WorkingArrayPool<long>.Return(ref _counts);

    public override void Update(ColumnVector? input, ReadOnlySpan<int> groupIds, int count, ReadOnlySpan<int> selection)
    {
        if (input is null || input.Type.Id == TypeId.Null)
        {
            return;
        }
        bool dense = selection.IsEmpty;
        HashSet<GroupBytes>.AlternateLookup<GroupBytesProbe> bytes = _bytes.GetAlternateLookup<GroupBytesProbe>();
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (input.IsNullAt(row))
            {
                continue;
            }
            ValueReader.Locate(input, row, out ColumnVector values, out int index);
            int group = groupIds[k];
            bool added = input.Type.Physical switch
            {
                PhysicalKind.Bool8 => _fixed.Add((group, values.GetData<byte>()[index])),
                PhysicalKind.VarBytes => bytes.Add(new GroupBytesProbe(group, values.GetBytes(index))),
                _ when input.Type.Id == TypeId.Float => _fixed.Add((group, CanonicalBits(values.GetData<double>()[index]))),
                _ => _fixed.Add((group, values.GetData<long>()[index])),
            };
            _counts[group] += added ? 1 : 0;
        }
    }

    private static long CanonicalBits(double value) =>
        double.IsNaN(value) ? BitConverter.DoubleToInt64Bits(double.NaN) : BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value);

    public override void Merge(Accumulator other, ReadOnlySpan<int> otherGroups, ReadOnlySpan<int> targets)
    {
        CountDistinctAccumulator from = (CountDistinctAccumulator)other;
        // The sets hold (group, value) pairs of every group: a map of the other's groups picks the ones merged here.
        int[] groupMap = new int[from.Capacity];
        groupMap.AsSpan().Fill(-1);
        for (int i = 0; i < otherGroups.Length; i++)
        {
            groupMap[otherGroups[i]] = targets[i];
        }
        foreach ((int group, long value) in from._fixed)
        {
            int target = groupMap[group];
            if (target >= 0)
            {
                _counts[target] += _fixed.Add((target, value)) ? 1 : 0;
            }
        }
        foreach (GroupBytes entry in from._bytes)
        {
            int target = groupMap[entry.Group];
            if (target >= 0)
            {
                _counts[target] += _bytes.Add(entry with { Group = target }) ? 1 : 0;
            }
        }
    }

    public override void Write(int group, ColumnVector output, int row)
    {
        output.Validity.SetValid(row);
        output.GetData<long>()[row] = _counts[group];
    }
}

internal readonly record struct GroupBytes(int Group, byte[] Value);

internal readonly ref struct GroupBytesProbe(int group, ReadOnlySpan<byte> value)
{
    public int Group { get; } = group;
    public ReadOnlySpan<byte> Value { get; } = value;
}

internal sealed class GroupBytesComparer : IEqualityComparer<GroupBytes>, IAlternateEqualityComparer<GroupBytesProbe, GroupBytes>
{
    public static readonly GroupBytesComparer Instance = new();

    public bool Equals(GroupBytes x, GroupBytes y) => x.Group == y.Group && x.Value.AsSpan().SequenceEqual(y.Value);

    public int GetHashCode(GroupBytes obj) => Hash(obj.Group, obj.Value);

    public bool Equals(GroupBytesProbe alternate, GroupBytes other) => alternate.Group == other.Group && alternate.Value.SequenceEqual(other.Value);

    public int GetHashCode(GroupBytesProbe alternate) => Hash(alternate.Group, alternate.Value);

    public GroupBytes Create(GroupBytesProbe alternate) => new(alternate.Group, alternate.Value.ToArray());

    private static int Hash(int group, ReadOnlySpan<byte> value) =>
        (int)HashKernels.Combine(HashKernels.HashBytes(value), HashKernels.HashInt64(group));
}
