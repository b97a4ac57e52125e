using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
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

    public void Add(Batch batch)
    {
        int count = batch.Count;
        ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
        Batch stored = new(_stored);
        for (int c = 0; c < _inputWidth; c++)
        {
            GatherKernels.Compact(batch.Columns[c], count, selection, stored.Columns[c]);
        }
        for (int k = 0; k < _extra.Length; k++)
        {
            GatherKernels.Compact(_extra[k].Evaluate(batch), count, selection, stored.Columns[_inputWidth + k]);
        }
        stored.SetCount(count);
        Batches.Add(stored);
    }

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
/// Sorting references with ties broken by reference is a stable sort.
/// </summary>
internal static class RowReferences
{
    private const int RowBits = 11;
    private const long RowMask = (1 << RowBits) - 1;

    public static int Batch(long reference) => (int)(reference >> RowBits);

    public static int Row(long reference) => (int)(reference & RowMask);

    /// <summary>Every row of <paramref name="batches"/> in input order, stably sorted by <paramref name="keys"/>.</summary>
    public static long[] Sorted(List<Batch> batches, SortKey[] keys)
    {
        int total = 0;
        foreach (Batch batch in batches)
        {
            total += batch.Count;
        }
        long[] rows = new long[total];
        int n = 0;
        for (int b = 0; b < batches.Count; b++)
        {
            for (int r = 0; r < batches[b].Count; r++)
            {
                rows[n++] = ((long)b << RowBits) | (uint)r;
            }
        }
        if (keys.Length > 0)
        {
            Array.Sort(rows, new Comparer(batches, keys));
        }
        return rows;
    }

    /// <summary>Whether two rows have equal values (NULLs equal) in every one of <paramref name="columns"/>.</summary>
    public static bool SameValues(List<Batch> batches, long x, long y, int firstColumn, int columnCount)
    {
        Batch left = batches[Batch(x)];
        Batch right = batches[Batch(y)];
        int leftRow = Row(x);
        int rightRow = Row(y);
        for (int c = firstColumn; c < firstColumn + columnCount; c++)
        {
            ColumnVector a = left.Columns[c];
            ColumnVector b = right.Columns[c];
            bool aNull = a.Type.Id == TypeId.Null || a.IsNullAt(leftRow);
            bool bNull = b.Type.Id == TypeId.Null || b.IsNullAt(rightRow);
            if (aNull != bNull || (!aNull && !ValueOrder.Equal(a, leftRow, b, rightRow)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Writes column <paramref name="column"/> of the referenced rows to rows 0, 1, … of <paramref name="destination"/>.</summary>
    public static void Gather(List<Batch> batches, ReadOnlySpan<long> rows, int column, ColumnVector destination)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            long reference = rows[r];
            ValueOrder.Copy(batches[Batch(reference)].Columns[column], Row(reference), destination, r);
        }
    }

    private sealed class Comparer(List<Batch> batches, SortKey[] keys) : IComparer<long>
    {
        public int Compare(long x, long y)
        {
            Batch left = batches[Batch(x)];
            Batch right = batches[Batch(y)];
            int leftRow = Row(x);
            int rightRow = Row(y);
            foreach (SortKey key in keys)
            {
                ColumnVector a = left.Columns[key.Column];
                ColumnVector b = right.Columns[key.Column];
                bool aNull = a.Type.Id == TypeId.Null || a.IsNullAt(leftRow);
                bool bNull = b.Type.Id == TypeId.Null || b.IsNullAt(rightRow);
                if (aNull || bNull)
                {
                    if (aNull && bNull)
                    {
                        continue;
                    }
                    // NULLS FIRST/LAST is independent of the direction.
                    return aNull == key.NullsFirst ? -1 : 1;
                }
                int order = ValueOrder.Compare(a, leftRow, b, rightRow);
                if (order != 0)
                {
                    return key.Descending ? -order : order;
                }
            }
            return x.CompareTo(y);
        }
    }
}
