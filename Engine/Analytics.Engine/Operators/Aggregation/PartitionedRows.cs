using System.Collections.Immutable;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Aggregation;

/// <summary>
/// One worker's aggregate input rows (its evaluated keys, then every aggregate's arguments), scattered by the merge
/// partition of their key hash into flat batches per partition. A worker whose group table outgrew the caches
/// (<see cref="PhysicalHashAggregate.RadixThreshold"/>) buffers its remaining rows here instead of probing that table
/// with a cache miss per row; the merge then aggregates each partition's rows into a table of its own, small enough to
/// stay in cache, on every thread (<see cref="GroupMerge"/>). Only fixed-width columns are buffered (<see cref="CanBuffer"/>).
/// </summary>
internal sealed class PartitionedRows
{
    private const int Partitions = 1 << GroupMerge.PartitionBits;

    private readonly BatchSchema _schema;
    private readonly int _keyCount;
    private readonly List<Batch>[] _batches = new List<Batch>[Partitions];
    private readonly ulong[] _hashes = new ulong[Batch.Capacity];
    private readonly int[] _partitions = new int[Batch.Capacity];
    private readonly int[] _starts = new int[Partitions + 1];
    private readonly int[] _next = new int[Partitions];
    // The active rows ordered by partition: their position k among the active rows, and their physical row.
    private readonly int[] _positions = new int[Batch.Capacity];
    private readonly int[] _rows = new int[Batch.Capacity];
    private readonly ColumnVector[] _flat;

    public PartitionedRows(ImmutableArray<LogicalType> columnTypes, int keyCount)
    {
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>(columnTypes.Length);
        _flat = new ColumnVector[columnTypes.Length];
        for (int c = 0; c < columnTypes.Length; c++)
        {
            fields.Add(new Field($"#c{c}", columnTypes[c]));
            _flat[c] = new ColumnVector(columnTypes[c], Batch.Capacity);
        }
        _schema = new BatchSchema(fields.MoveToImmutable());
        _keyCount = keyCount;
        for (int p = 0; p < Partitions; p++)
        {
            _batches[p] = [];
        }
    }

    /// <summary>Whether rows of these types can be buffered: fixed-width values (64-bit words or booleans) only.</summary>
    public static bool CanBuffer(ReadOnlySpan<LogicalType> types)
    {
        foreach (LogicalType type in types)
        {
            if (type.Id == TypeId.Null || type.Physical is not (PhysicalKind.Fixed64 or PhysicalKind.Bool8))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The buffered batches of <paramref name="partition"/>, in arrival order.</summary>
    public List<Batch> Of(int partition) => _batches[partition];

    /// <summary>Appends the batch's active rows: <paramref name="columns"/> are the keys, then the arguments.</summary>
    public void Add(ReadOnlySpan<ColumnVector> columns, int count, ReadOnlySpan<int> selection)
    {
        bool dense = selection.IsEmpty;
        for (int i = 0; i < _keyCount; i++)
        {
            KeyHashing.HashColumn(columns[i], i == 0, count, selection, _hashes);
        }
        // A counting sort of the active rows by partition (the same top hash bits as GroupTable.PartitionOf).
        Array.Clear(_starts);
        for (int k = 0; k < count; k++)
        {
            int partition = (int)(_hashes[dense ? k : selection[k]] >> (64 - GroupMerge.PartitionBits));
            _partitions[k] = partition;
            _starts[partition + 1]++;
        }
        for (int p = 0; p < Partitions; p++)
        {
            _starts[p + 1] += _starts[p];
            _next[p] = _starts[p];
        }
        for (int k = 0; k < count; k++)
        {
            int at = _next[_partitions[k]]++;
            _positions[at] = k;
            _rows[at] = dense ? k : selection[k];
        }
        // Constant and dictionary vectors are flattened once per input batch (dense: read by position).
        for (int c = 0; c < columns.Length; c++)
        {
            if (columns[c].Encoding != VectorEncoding.Flat)
            {
                GatherKernels.Compact(columns[c], count, selection, _flat[c]);
            }
        }
        for (int p = 0; p < Partitions; p++)
        {
            int start = _starts[p];
            int rows = _starts[p + 1] - start;
            while (rows > 0)
            {
                Batch target = OpenBatch(p);
                int take = Math.Min(rows, Batch.Capacity - target.Count);
                for (int c = 0; c < columns.Length; c++)
                {
                    ColumnVector column = columns[c];
                    bool flat = column.Encoding == VectorEncoding.Flat;
                    ReadOnlySpan<int> indices = flat ? _rows.AsSpan(start, take) : _positions.AsSpan(start, take);
                    Append(flat ? column : _flat[c], indices, target.Columns[c], target.Count);
                }
                target.Count += take;
                target.PhysicalCount = target.Count;
                start += take;
                rows -= take;
            }
        }
    }

    private Batch OpenBatch(int partition)
    {
        List<Batch> batches = _batches[partition];
        if (batches.Count == 0 || batches[^1].Count == Batch.Capacity)
        {
            batches.Add(new Batch(_schema));
        }
        return batches[^1];
    }

    private static void Append(ColumnVector source, ReadOnlySpan<int> indices, ColumnVector target, int at)
    {
        if (source.Type.Physical == PhysicalKind.Bool8)
        {
            GatherKernels.Gather<byte>(source.GetData<byte>(), indices, target.GetData<byte>()[at..]);
        }
        else
        {
            GatherKernels.Gather<long>(source.GetData<long>(), indices, target.GetData<long>()[at..]);
        }
        if (source.Validity.AllValid)
        {
            return;
        }
        for (int i = 0; i < indices.Length; i++)
        {
            if (source.Validity.IsNull(indices[i]))
            {
                target.Validity.SetNull(at + i, target.Capacity);
            }
        }
    }

    /// <summary>Releases the buffered batches of <paramref name="partition"/> once the merge has aggregated them.</summary>
    public void Release(int partition)
    {
        foreach (Batch batch in _batches[partition])
        {
            batch.Release();
        }
        _batches[partition].Clear();
    }

    public void ReleaseAll()
    {
        for (int p = 0; p < Partitions; p++)
        {
            Release(p);
        }
    }
}
