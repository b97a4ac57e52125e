using System.Collections.Immutable;
using System.Numerics;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Join;

/// <summary>
/// The build side of a join, as the sink of its input's pipeline: workers keep compacted copies of their batches with
/// the evaluated key columns; <c>Finish</c> concatenates them into one column vector per column (build row ids are
/// dense, so a probe gathers build columns with one index list) and, for an equi-join, builds a chained hash table
/// over the keys. Rows with a NULL key are left out of the table (NULL never equals anything) but stay available for
/// an outer join's unmatched rows. A spatial join (<see cref="Spatial"/>) stores its one geometry key and builds a
/// <see cref="SpatialJoinIndex"/> (an STR-tree) over it instead of a hash table.
/// </summary>
public sealed class PhysicalJoinBuild(BatchSchema schema, ImmutableArray<BoundExpression> keys, bool tracksMatches,
    SpatialJoinCondition? spatial = null) : PhysicalSink
{
    public override BatchSchema Schema { get; } = schema;

    /// <summary>Key expressions over the build side's columns; empty for a nested-loop join; the geometry for a spatial join.</summary>
    public ImmutableArray<BoundExpression> Keys { get; } = keys;

    /// <summary>The spatial predicate the build side is indexed for, or null for a hash or nested-loop join.</summary>
    public SpatialJoinCondition? Spatial { get; } = spatial;

    /// <summary>True when the build side is an outer side: probes record which build rows matched.</summary>
    public bool TracksMatches { get; } = tracksMatches;

    public override string Describe() => Spatial is not null
        ? $"JoinBuild STR-tree on {BoundExpressionPrinter.Print(Keys[0])}"
        : Keys.IsEmpty
        ? "JoinBuild (nested loop)"
        : $"JoinBuild hash keys {string.Join(", ", Keys.Select(BoundExpressionPrinter.Print))}";

    public override SinkState CreateGlobalState(QueryContext context) => new JoinBuildState(this);

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) => new LocalState(this, context);

    /// <summary>The stored columns: the build side's columns, then one per key.</summary>
    internal BatchSchema StoredSchema()
    {
        ImmutableArray<Field>.Builder fields = ImmutableArray.CreateBuilder<Field>();
        fields.AddRange(Schema.Fields);
        for (int i = 0; i < Keys.Length; i++)
        {
            fields.Add(new Field($"#key{i}", Keys[i].Type));
        }
        return new BatchSchema(fields.ToImmutable());
    }

    internal sealed class LocalState : SinkLocalState
    {
        private readonly ExpressionEvaluator[] _keys;
        private readonly BatchSchema _stored;
        private readonly int _columns;

        public LocalState(PhysicalJoinBuild build, QueryContext context)
        {
            _stored = build.StoredSchema();
            _columns = build.Schema.Count;
            _keys = new ExpressionEvaluator[build.Keys.Length];
            for (int i = 0; i < _keys.Length; i++)
            {
                _keys[i] = new ExpressionEvaluator(build.Keys[i], context.Evaluation);
            }
        }

        public List<Batch> Batches { get; } = [];

        public override void Sink(Batch batch)
        {
            int count = batch.Count;
            ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
            Batch stored = new(_stored);
            for (int c = 0; c < _columns; c++)
            {
                GatherKernels.Compact(batch.Columns[c], count, selection, stored.Columns[c]);
            }
            for (int k = 0; k < _keys.Length; k++)
            {
                GatherKernels.Compact(_keys[k].Evaluate(batch), count, selection, stored.Columns[_columns + k]);
            }
            stored.SetCount(count);
            Batches.Add(stored);
        }

        public override void Dispose()
        {
            foreach (ExpressionEvaluator key in _keys)
            {
                key.Dispose();
            }
        }
    }
}

/// <summary>The materialized build side: shared, read-only while probes run (except the matched flags).</summary>
public sealed class JoinBuildState : SinkState
{
    private const int NoRow = -1;

    private readonly PhysicalJoinBuild _build;
    private readonly List<Batch> _input = [];

    internal JoinBuildState(PhysicalJoinBuild build)
    {
        _build = build;
        Columns = [];
        Buckets = [NoRow];
        Next = [];
        Hashes = [];
    }

    public int RowCount { get; private set; }

    /// <summary>One vector of <see cref="RowCount"/> rows per build column, then per key.</summary>
    internal ColumnVector[] Columns { get; private set; }

    /// <summary>The first build row of each hash bucket (bucket = hash &amp; <see cref="Mask"/>), or -1.</summary>
    internal int[] Buckets { get; private set; }

    internal int Mask { get; private set; }

    /// <summary>The next build row in the same bucket, or -1; chains are in ascending row order.</summary>
    internal int[] Next { get; private set; }

    /// <summary>The key hash of every build row (rejects most bucket mates before keys are compared).</summary>
    internal ulong[] Hashes { get; private set; }

    /// <summary>For an outer build side: 1 for every build row some probe row matched (written by every probe worker).</summary>
    internal byte[]? Matched { get; private set; }

    /// <summary>For a spatial join: the STR-tree over the build rows' geometries.</summary>
    internal SpatialJoinIndex? SpatialIndex { get; private set; }

    public override void Combine(SinkLocalState local) => _input.AddRange(((PhysicalJoinBuild.LocalState)local).Batches);

    public override void Finish()
    {
        int total = 0;
        foreach (Batch batch in _input)
        {
            total += batch.Count;
        }
        RowCount = total;
        BatchSchema stored = _build.StoredSchema();
        Columns = new ColumnVector[stored.Count];
        for (int c = 0; c < Columns.Length; c++)
        {
            LogicalType type = stored[c].Type;
            ColumnVector column = new(type.Id == TypeId.Null ? LogicalType.Int : type, Math.Max(1, total));
            int offset = 0;
            foreach (Batch batch in _input)
            {
                Append(batch.Columns[c], batch.Count, column, offset);
                offset += batch.Count;
            }
            column.FinishBytes(total);
            Columns[c] = column;
        }
        foreach (Batch batch in _input)
        {
            batch.Release();
        }
        _input.Clear();
        if (_build.TracksMatches)
        {
            Matched = new byte[total];
        }
        if (_build.Spatial is not null)
        {
            SpatialIndex = new SpatialJoinIndex(_build.Spatial, Columns[_build.Schema.Count], total);
        }
        else if (!_build.Keys.IsEmpty)
        {
            BuildTable(total);
        }
    }

    private void BuildTable(int total)
    {
        int keyStart = _build.Schema.Count;
        int keyCount = _build.Keys.Length;
        Hashes = new ulong[total];
        for (int k = 0; k < keyCount; k++)
        {
            KeyHashing.HashColumn(Columns[keyStart + k], k == 0, total, default, Hashes);
        }
        int size = (int)Math.Min(1L << 30, Math.Max(16L, (long)BitOperations.RoundUpToPowerOf2((uint)total) * 2));
        Buckets = new int[size];
        Array.Fill(Buckets, NoRow);
        Mask = size - 1;
        Next = new int[total];
        // Inserting from the last row makes every chain ascending, so matches come out in build order.
        for (int row = total - 1; row >= 0; row--)
        {
            if (HasNullKey(keyStart, keyCount, row))
            {
                Next[row] = NoRow;
                continue;
            }
            int bucket = (int)Hashes[row] & Mask;
            Next[row] = Buckets[bucket];
            Buckets[bucket] = row;
        }
    }

    private bool HasNullKey(int keyStart, int keyCount, int row)
    {
        for (int k = 0; k < keyCount; k++)
        {
            ColumnVector key = Columns[keyStart + k];
            if (key.Type.Id == TypeId.Null || !key.Validity.IsValid(row))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Copies a dense flat vector of <paramref name="count"/> rows to rows <c>offset…</c> of <paramref name="destination"/>.</summary>
    private static void Append(ColumnVector source, int count, ColumnVector destination, int offset)
    {
        switch (destination.Type.Physical)
        {
            case PhysicalKind.Fixed64:
                source.GetData<long>()[..count].CopyTo(destination.GetData<long>()[offset..]);
                break;
            case PhysicalKind.Bool8:
                source.GetData<byte>()[..count].CopyTo(destination.GetData<byte>()[offset..]);
                break;
            case PhysicalKind.VarBytes:
                for (int r = 0; r < count; r++)
                {
                    destination.SetBytes(offset + r, source.GetBytes(r));
                }
                break;
        }
        if (source.Type.Id == TypeId.Null)
        {
            for (int r = 0; r < count; r++)
            {
                destination.Validity.SetNull(offset + r, destination.Capacity);
            }
        }
        else if (!source.Validity.AllValid)
        {
            for (int r = 0; r < count; r++)
            {
                if (source.Validity.IsNull(r))
                {
                    destination.Validity.SetNull(offset + r, destination.Capacity);
                }
            }
        }
    }

    public override void Dispose()
    {
        foreach (Batch batch in _input)
        {
            batch.Release();
        }
        _input.Clear();
        foreach (ColumnVector column in Columns)
        {
            column.Release();
        }
        Columns = [];
    }
}
