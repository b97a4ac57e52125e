using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// One worker's share of a sorting sink's input (ORDER BY, WINDOW): each batch compacted (selection applied), with the
/// evaluated <c>extra</c> expressions (sort keys, window arguments) appended as columns after the input's.
/// </summary>
internal sealed class MaterializedRows : IDisposable
{
    private readonly ExpressionEvaluator[] _extra;
    private readonly BatchSchema _stored;
    private readonly int _inputWidth;

    public MaterializedRows(BatchSchema input, ImmutableArray<BoundExpression> extra, EvaluationContext context)
    {
        _inputWidth = input.Count;
        _extra = new ExpressionEvaluator[extra.Length];
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>(input.Count + extra.Length);
        fields.AddRange(input.Fields);
        for (int i = 0; i < extra.Length; i++)
        {
            _extra[i] = new ExpressionEvaluator(extra[i], context);
            fields.Add(new Field($"#extra{i}", extra[i].Type));
        }
        _stored = new BatchSchema(fields.MoveToImmutable());
    }

    public List<Batch> Batches { get; } = [];

    /// <summary>
    /// Stores the batch's active rows; with <paramref name="candidates"/> (Top-N, keyed on the first extra
    /// expression) only those that can still rank among the first rows.
    /// </summary>
    public void Add(Batch batch, TopNCandidates? candidates = null)
    {
        int count = batch.Count;
        ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
        ColumnVector[] evaluated = _evaluated ??= new ColumnVector[_extra.Length];
        for (int k = 0; k < _extra.Length; k++)
        {
            evaluated[k] = _extra[k].Evaluate(batch);
        }
        if (candidates is not null)
        {
            count = candidates.Filter(evaluated[0], count, ref selection);
            if (count == 0)
            {
                return;
            }
        }
        Batch stored = new(_stored);
        for (int c = 0; c < _inputWidth; c++)
        {
            GatherKernels.Compact(batch.Columns[c], count, selection, stored.Columns[c]);
        }
        for (int k = 0; k < _extra.Length; k++)
        {
            GatherKernels.Compact(evaluated[k], count, selection, stored.Columns[_inputWidth + k]);
        }
        stored.SetCount(count);
        Batches.Add(stored);
    }

    private ColumnVector[]? _evaluated;

    public void Dispose()
    {
        foreach (ExpressionEvaluator evaluator in _extra)
        {
            evaluator.Dispose();
        }
    }
}

/// <summary>A sort key: a column of the materialized batches, its direction and where its NULLs go.</summary>
internal readonly record struct SortKey(int Column, bool Descending, bool NullsFirst)
{
    public static SortKey[] From(ImmutableArray<BoundOrderItem> items, int firstColumn)
    {
        SortKey[] keys = new SortKey[items.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = new SortKey(firstColumn + i, items[i].Descending, items[i].NullsFirst);
        }
        return keys;
    }
}

/// <summary>
/// Rows of materialized batches named by reference: batch index &lt;&lt; 11 | row (a batch holds at most 2048 rows).
/// </summary>
internal static class RowReferences
{
    private const int RowBits = 11;
    private const long RowMask = (1 << RowBits) - 1;

    public static int Batch(long reference) => (int)(reference >> RowBits);

    public static int Row(long reference) => (int)(reference & RowMask);

    public static long Of(int batch, int row) => ((long)batch << RowBits) | (uint)row;

    /// <summary>
    /// Writes column <paramref name="column"/> of the referenced rows to rows 0, 1, … of a fresh
    /// <paramref name="destination"/>. The materialized batches are flat, so fixed-width values are read in place.
    /// </summary>
    public static void Gather(List<Batch> batches, ReadOnlySpan<long> rows, int column, ColumnVector destination)
    {
        switch (destination.Type.Physical)
        {
            case PhysicalKind.Fixed64:
                GatherFixed<long>(batches, rows, column, destination);
                break;
            case PhysicalKind.Bool8:
                GatherFixed<byte>(batches, rows, column, destination);
                break;
            default:
                for (int r = 0; r < rows.Length; r++)
                {
                    long reference = rows[r];
                    ValueOrder.Copy(batches[Batch(reference)].Columns[column], Row(reference), destination, r);
                }
                break;
        }
    }

    /// <summary>
    /// The referenced rows, in order, as batches of <paramref name="schema"/> appended to <paramref name="output"/>;
    /// its columns are the leading columns of the materialized batches.
    /// </summary>
    public static void GatherBatches(List<Batch> batches, ReadOnlySpan<long> rows, BatchSchema schema, List<Batch> output)
    {
        for (int start = 0; start < rows.Length; start += Vector.Batches.Batch.Capacity)
        {
            int count = Math.Min(Vector.Batches.Batch.Capacity, rows.Length - start);
            Batch batch = new(schema);
            GatherColumns(batches, rows.Slice(start, count), schema.Count, batch);
            batch.SetCount(count);
            output.Add(batch);
        }
    }

    /// <summary>Writes the first <paramref name="columns"/> columns of the referenced rows to rows 0, 1, … of <paramref name="destination"/>.</summary>
    public static void GatherColumns(List<Batch> batches, ReadOnlySpan<long> rows, int columns, Batch destination)
    {
        for (int c = 0; c < columns; c++)
        {
            Gather(batches, rows, c, destination.Columns[c]);
        }
    }

    private static void GatherFixed<T>(List<Batch> batches, ReadOnlySpan<long> rows, int column, ColumnVector destination) where T : unmanaged
    {
        Span<T> to = destination.GetData<T>();
        for (int r = 0; r < rows.Length; r++)
        {
            long reference = rows[r];
            ColumnVector source = batches[Batch(reference)].Columns[column];
            int row = Row(reference);
            if (source.Validity.IsNull(row))
            {
                destination.Validity.SetNull(r, destination.Capacity);
            }
            else
            {
                to[r] = source.GetData<T>()[row];
            }
        }
    }
}

/// <summary>
/// The rows of materialized batches stably sorted by <see cref="SortKey"/>s. Keys are first encoded per row as a NULL
/// rank plus a <see cref="SortKeyPrefix"/> (direction applied): exact for fixed-width keys (int, uint, float, boolean,
/// timestamp, interval); for strings and binaries the bytes after the part every value shares (exact when at most 7
/// remain, else 8 bytes, with whole values compared only when prefixes tie); variants compare their values. The comparer is a struct, so the sort calls it without dispatch.
/// </summary>
internal sealed class SortedRows
{
    private const byte NullsBefore = 0;
    private const byte Value = 1;
    private const byte NullsAfter = 2;

    private readonly List<Batch> _batches;
    private readonly SortKey[] _keys;
    private readonly long[] _references;
    private readonly byte[][] _ranks;
    private readonly ulong[]?[] _encoded;
    private readonly bool[] _exact;
    private readonly int[] _order;

    public SortedRows(List<Batch> batches, SortKey[] keys)
    {
        _batches = batches;
        _keys = keys;
        int total = 0;
        foreach (Batch batch in batches)
        {
            total += batch.Count;
        }
        _references = new long[total];
        _order = new int[total];
        int n = 0;
        for (int b = 0; b < batches.Count; b++)
        {
            for (int r = 0; r < batches[b].Count; r++)
            {
                _order[n] = n;
                _references[n++] = RowReferences.Of(b, r);
            }
        }
        _ranks = new byte[keys.Length][];
        _encoded = new ulong[]?[keys.Length];
        _exact = new bool[keys.Length];
        for (int k = 0; k < keys.Length; k++)
        {
            Encode(k, total);
        }
        if (keys.Length is 1 or 2 && _encoded[0] is not null && (keys.Length == 1 || _encoded[1] is not null))
        {
            SortPacked(total);
        }
        else if (keys.Length > 0)
        {
            _order.AsSpan().Sort(new Comparer(this));
        }
    }

    /// <summary>
    /// The common case — one or two keys with prefixes — sorted as contiguous entries (ranks, prefixes, input index)
    /// instead of indexes whose every comparison reads four arrays at random: the comparisons touch only the two
    /// entries, and whole values are read only when inexact (string) prefixes tie.
    /// </summary>
    private void SortPacked(int total)
    {
        PackedEntry[] entries = new PackedEntry[total];
        ulong[] first = _encoded[0]!;
        ulong[]? second = _keys.Length == 2 ? _encoded[1] : null;
        byte[] firstRanks = _ranks[0];
        byte[]? secondRanks = _keys.Length == 2 ? _ranks[1] : null;
        for (int i = 0; i < total; i++)
        {
            entries[i] = new PackedEntry(first[i], second is null ? 0 : second[i], i, firstRanks[i], secondRanks is null ? (byte)0 : secondRanks[i]);
        }
        bool inexact0 = !_exact[0];
        bool inexact1 = _keys.Length == 2 && !_exact[1];
        if (inexact0 || inexact1)
        {
            entries.AsSpan().Sort(new PackedComparer(this, inexact0, inexact1));
        }
        else
        {
            // Without a comparer the runtime's sort calls CompareTo directly (no delegate per comparison).
            entries.AsSpan().Sort();
        }
        for (int i = 0; i < total; i++)
        {
            _order[i] = entries[i].Index;
        }
    }

    /// <summary>One row's keys; the wide fields first, so an entry is 24 bytes rather than 40 (the sort moves them all).</summary>
    private readonly record struct PackedEntry(ulong Key0, ulong Key1, int Index, byte Rank0, byte Rank1) : IComparable<PackedEntry>
    {
        /// <summary>The order of exact keys: each key's rank then prefix, then input order (the sort is stable).</summary>
        public int CompareTo(PackedEntry other)
        {
            int order = PartOrder(Rank0, Key0, other.Rank0, other.Key0);
            if (order == 0)
            {
                order = PartOrder(Rank1, Key1, other.Rank1, other.Key1);
            }
            return order != 0 ? order : Index.CompareTo(other.Index);
        }

        /// <summary>One key's order by NULL rank, then prefix (two NULLs share the NULL prefix, so they tie).</summary>
        public static int PartOrder(byte rankX, ulong keyX, byte rankY, ulong keyY) =>
            rankX != rankY ? (rankX < rankY ? -1 : 1) : keyX != keyY ? (keyX < keyY ? -1 : 1) : 0;
    }

    /// <summary>The packed order, comparing whole values where an inexact (string) prefix ties.</summary>
    private readonly struct PackedComparer(SortedRows rows, bool inexact0, bool inexact1) : IComparer<PackedEntry>
    {
        public int Compare(PackedEntry x, PackedEntry y)
        {
            int order = PackedEntry.PartOrder(x.Rank0, x.Key0, y.Rank0, y.Key0);
            if (order == 0 && inexact0 && x.Rank0 == Value)
            {
                order = rows.CompareKey(0, x.Index, y.Index);
            }
            if (order == 0)
            {
                order = PackedEntry.PartOrder(x.Rank1, x.Key1, y.Rank1, y.Key1);
                if (order == 0 && inexact1 && x.Rank1 == Value)
                {
                    order = rows.CompareKey(1, x.Index, y.Index);
                }
            }
            return order != 0 ? order : x.Index.CompareTo(y.Index);
        }
    }

    /// <summary>The references in sorted order.</summary>
    public long[] References()
    {
        long[] sorted = new long[_order.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = _references[_order[i]];
        }
        return sorted;
    }

    /// <summary>Whether the rows at two sorted positions are equal (NULLs equal) in keys <c>[firstKey, firstKey + keyCount)</c>.</summary>
    public bool SameKeys(int position, int other, int firstKey, int keyCount)
    {
        int x = _order[position];
        int y = _order[other];
        for (int k = firstKey; k < firstKey + keyCount; k++)
        {
            if (CompareKey(k, x, y) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private void Encode(int k, int total)
    {
        SortKey key = _keys[k];
        byte[] ranks = new byte[total];
        byte nullRank = key.NullsFirst ? NullsBefore : NullsAfter;
        LogicalType type = _batches.Count == 0 ? LogicalType.Null : _batches[0].Columns[key.Column].Type;
        // Variants keep whole-value comparisons (Q20's cross-type order is not a byte order).
        ulong[]? encoded = SortKeyPrefix.HasPrefix(type.Id) ? new ulong[total] : null;
        bool bytes = type.Id is TypeId.String or TypeId.Binary;
        int commonLength = 0;
        bool lengthTagged = false;
        if (bytes)
        {
            CommonBytes(key.Column, out commonLength, out int longestTail);
            lengthTagged = longestTail <= 7;
        }
        int n = 0;
        foreach (Batch batch in _batches)
        {
            ColumnVector column = batch.Columns[key.Column];
            int count = batch.Count;
            bool allNull = column.Type.Id == TypeId.Null;
            for (int r = 0; r < count; r++)
            {
                ranks[n + r] = allNull || column.IsNullAt(r) ? nullRank : Value;
            }
            if (encoded is not null && !allNull)
            {
                if (bytes)
                {
                    SortKeyPrefix.ComputeBytes(column, count, commonLength, lengthTagged, key.Descending, key.NullsFirst, encoded.AsSpan(n, count));
                }
                else
                {
                    SortKeyPrefix.Compute(column, count, default, key.Descending, key.NullsFirst, encoded.AsSpan(n, count));
                }
            }
            n += count;
        }
        _ranks[k] = ranks;
        _encoded[k] = encoded;
        _exact[k] = SortKeyPrefix.IsExact(type.Id) || lengthTagged;
    }

    /// <summary>
    /// How many leading bytes every non-NULL value of a string/binary column shares, and the most bytes any value has
    /// after them. Keys such as "vehicle-00042" share long leading parts that make plain 8-byte prefixes all tie (every
    /// comparison then reads both whole values); prefixes taken after the shared part order them, exactly when the
    /// rest is short.
    /// </summary>
    private void CommonBytes(int column, out int commonLength, out int longestTail)
    {
        ReadOnlySpan<byte> first = default;
        bool any = false;
        int common = int.MaxValue;
        int longest = 0;
        foreach (Batch batch in _batches)
        {
            ColumnVector vector = batch.Columns[column];
            if (vector.Type.Id == TypeId.Null)
            {
                continue;
            }
            for (int r = 0; r < batch.Count; r++)
            {
                if (vector.IsNullAt(r))
                {
                    continue;
                }
                ValueReader.Locate(vector, r, out ColumnVector values, out int index);
                ReadOnlySpan<byte> value = values.GetBytes(index);
                if (!any)
                {
                    first = value;
                    any = true;
                }
                common = Math.Min(common, first.CommonPrefixLength(value));
                longest = Math.Max(longest, value.Length);
            }
        }
        commonLength = any ? common : 0;
        longestTail = longest - commonLength;
    }

    /// <summary>Compares key <paramref name="k"/> of input rows <paramref name="x"/> and <paramref name="y"/> (indexes in input order).</summary>
    private int CompareKey(int k, int x, int y)
    {
        byte[] ranks = _ranks[k];
        int rank = ranks[x].CompareTo(ranks[y]);
        if (rank != 0 || ranks[x] != Value)
        {
            return rank;
        }
        if (_encoded[k] is ulong[] encoded)
        {
            int prefix = encoded[x].CompareTo(encoded[y]);
            if (prefix != 0 || _exact[k])
            {
                return prefix;
            }
        }
        SortKey key = _keys[k];
        long left = _references[x];
        long right = _references[y];
        int order = ValueOrder.Compare(_batches[RowReferences.Batch(left)].Columns[key.Column], RowReferences.Row(left),
            _batches[RowReferences.Batch(right)].Columns[key.Column], RowReferences.Row(right));
        return key.Descending ? -order : order;
    }

    private readonly struct Comparer(SortedRows rows) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            for (int k = 0; k < rows._keys.Length; k++)
            {
                int order = rows.CompareKey(k, x, y);
                if (order != 0)
                {
                    return order;
                }
            }
            // Ties keep input order: the sort is stable.
            return x.CompareTo(y);
        }
    }
}
