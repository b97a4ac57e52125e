using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators.Join;

/// <summary>
/// The probe side of a join, streaming in its input's pipeline (one state per worker, the build side shared). For
/// each probe batch it collects up to a batch of (probe row, build row) pairs at a time — from the hash chains of the
/// probe keys (then compares the keys column by column), or every pair for a nested-loop join — gathers them into the
/// output batch, and applies the residual condition. An outer probe side then gets its unmatched rows with NULL build
/// columns; an outer build side gets its unmatched rows once every worker is done (<see cref="CreateFinalReader"/>).
/// Output columns are always the left input's, then the right input's, whichever side was built.
/// </summary>
public sealed class PhysicalJoinProbe(
    PhysicalJoinBuild build,
    JoinType joinType,
    bool buildIsLeft,
    ImmutableArray<BoundExpression> probeKeys,
    BoundExpression? residual,
    BatchSchema schema) : PhysicalStreamOperator
{
    public PhysicalJoinBuild Build { get; } = build;
    public JoinType JoinType { get; } = joinType;

    /// <summary>True when the left input was built (it was the smaller one): outer-ness then swaps sides.</summary>
    public bool BuildIsLeft { get; } = buildIsLeft;

    /// <summary>Key expressions over the probe side's columns, pairwise equal to <see cref="PhysicalJoinBuild.Keys"/>.</summary>
    public ImmutableArray<BoundExpression> ProbeKeys { get; } = probeKeys;

    /// <summary>The condition's other conjuncts, over the output row; null when the keys are the whole condition.</summary>
    public BoundExpression? Residual { get; } = residual;

    public override BatchSchema Schema { get; } = schema;

    /// <summary>Unmatched probe rows are emitted (with NULL build columns).</summary>
    public bool ProbeIsOuter => JoinType == JoinType.Full || JoinType == (BuildIsLeft ? JoinType.Right : JoinType.Left);

    /// <summary>Unmatched build rows are emitted at the end (with NULL probe columns).</summary>
    public bool BuildIsOuter => JoinType == JoinType.Full || JoinType == (BuildIsLeft ? JoinType.Left : JoinType.Right);

    private int ProbeColumnCount => Schema.Count - Build.Schema.Count;
    private int ProbeOffset => BuildIsLeft ? Build.Schema.Count : 0;
    private int BuildOffset => BuildIsLeft ? 0 : ProbeColumnCount;

    public override string Describe()
    {
        string kind = JoinType.ToString().ToUpperInvariant();
        string side = BuildIsLeft ? "build left" : "build right";
        string residual = Residual is null ? "" : BoundExpressionPrinter.Print(Residual);
        if (Build.Spatial is { } spatial)
        {
            return $"SpatialJoin {kind} ON {BoundExpressionPrinter.Print(spatial.Conjunct)}{(Residual is null ? "" : $" residual {residual}")} ({side}, STR-tree)";
        }
        if (ProbeKeys.IsEmpty)
        {
            return $"NestedLoopJoin {kind} ON {(Residual is null ? "true" : residual)} ({side})";
        }
        string keys = string.Join(", ", ProbeKeys.Select((k, i) => $"{BoundExpressionPrinter.Print(k)} = {BoundExpressionPrinter.Print(Build.Keys[i])}"));
        return $"HashJoin {kind} keys {keys}{(Residual is null ? "" : $" residual {residual}")} ({side})";
    }

    public override OperatorState CreateState(object? globalState, QueryContext context, PipelineControl control) =>
        new ProbeState(this, (JoinBuildState)context.StateOf(Build), context);

    public override SourceReader? CreateFinalReader(object? globalState, QueryContext context) =>
        BuildIsOuter ? new UnmatchedBuildReader(this, (JoinBuildState)context.StateOf(Build)) : null;

    /// <summary>A vector of NULLs for every row (the missing side of an unmatched row).</summary>
    private static ColumnVector NullColumn(LogicalType type)
    {
        ColumnVector vector = new(type.Id == TypeId.Null ? LogicalType.Int : type, Batch.Capacity);
        RowValues.SetConstant(vector, null);
        return vector;
    }

    private sealed class ProbeState : OperatorState
    {
        private const int NoRow = -1;

        private readonly PhysicalJoinProbe _join;
        private readonly JoinBuildState _table;
        private readonly ExpressionEvaluator[] _keys;
        private readonly ColumnVector[] _keyVectors;
        private readonly ExpressionEvaluator? _residual;
        private readonly Batch _output;
        private readonly Batch _aligned;
        private readonly Batch _unmatched;
        private readonly ulong[] _hashes = new ulong[Batch.Capacity];
        private ColumnVector? _hashedDictionary;
        private ulong[] _dictionaryHashes = [];
        private readonly int[] _heads = new int[Batch.Capacity];
        private readonly int[] _probeRows = new int[Batch.Capacity];
        private readonly int[] _buildRows = new int[Batch.Capacity];
        private readonly int[] _buildRowOfProbeRow = new int[Batch.Capacity];
        private readonly bool[] _probeMatched = new bool[Batch.Capacity];
        private readonly int _probeColumns;
        private readonly SpatialJoinIndex.CandidateCollector _candidates = new();
        private readonly SpatialJoinIndex.ProbeGeometry _probeGeometry = new();
        private int _candidate;

        private Batch? _input;
        private int _activeRow;
        private int _buildRow;
        private Phase _phase = Phase.Done;

        private enum Phase { Pairs, UnmatchedProbeRows, Done }

        public ProbeState(PhysicalJoinProbe join, JoinBuildState table, QueryContext context)
        {
            _join = join;
            _table = table;
            _keys = new ExpressionEvaluator[join.ProbeKeys.Length];
            for (int i = 0; i < _keys.Length; i++)
            {
                _keys[i] = new ExpressionEvaluator(join.ProbeKeys[i], context.Evaluation);
            }
            _keyVectors = new ColumnVector[_keys.Length];
            _residual = join.Residual is null ? null : new ExpressionEvaluator(join.Residual, context.Evaluation);
            _output = new Batch(join.Schema);
            _probeColumns = join.ProbeColumnCount;
            // The aligned batch points at the input's vectors and owns its build columns.
            _aligned = new Batch(join.Schema);
            for (int c = 0; c < _probeColumns; c++)
            {
                _aligned.Columns[join.ProbeOffset + c].Release();
            }
            // The unmatched-probe-rows batch points at the input's vectors and at NULL columns for the build side.
            _unmatched = new Batch(join.Schema);
            _unmatched.Release();
            for (int c = 0; c < join.Build.Schema.Count; c++)
            {
                _unmatched.Columns[join.BuildOffset + c] = NullColumn(join.Build.Schema[c].Type);
            }
        }

        public override bool HasMoreOutput => _phase != Phase.Done;

        public override Batch? Execute(Batch input)
        {
            _input = input;
            if (_table.RowCount == 0 && !_join.ProbeIsOuter)
            {
                _phase = Phase.Done;
                return null;
            }
            int count = input.Count;
            ReadOnlySpan<int> selection = input.Selection is null ? default : input.Selection.AsSpan(count);
            if (_table.SpatialIndex is not null)
            {
                _keyVectors[0] = _keys[0].Evaluate(input);
                _candidates.Rows.Clear();
                _candidate = 0;
            }
            else if (_keys.Length > 0)
            {
                FindChainHeads(input, count, selection);
            }
            if (_join.ProbeIsOuter)
            {
                Array.Clear(_probeMatched, 0, input.PhysicalCount);
            }
            _activeRow = -1;
            _buildRow = NoRow;
            _phase = Phase.Pairs;
            return Produce();
        }

        public override Batch? Continue() => Produce();

        /// <summary>The hash bucket's first build row for every active probe row, or -1 (no bucket mate, or a NULL key).</summary>
        private void FindChainHeads(Batch input, int count, ReadOnlySpan<int> selection)
        {
            bool dense = selection.IsEmpty;
            for (int k = 0; k < _keys.Length; k++)
            {
                _keyVectors[k] = _keys[k].Evaluate(input);
            }
            if (IsSingleStringDictionaryKey())
            {
                // Each distinct value of the dictionary is hashed once (by the same kernel as flat strings).
                ColumnVector dictionary = _keyVectors[0].Dictionary!;
                if (!ReferenceEquals(dictionary, _hashedDictionary))
                {
                    if (_dictionaryHashes.Length < dictionary.Capacity)
                    {
                        _dictionaryHashes = new ulong[dictionary.Capacity];
                    }
                    HashKernels.HashBytes<OverwriteHash>(dictionary.Offsets, dictionary.Heap, _dictionaryHashes, dictionary.Capacity, default, default);
                    _hashedDictionary = dictionary;
                }
                ReadOnlySpan<int> codes = _keyVectors[0].Codes;
                for (int k = 0; k < count; k++)
                {
                    int row = dense ? k : selection[k];
                    _hashes[row] = _dictionaryHashes[codes[row]];
                }
            }
            else
            {
                for (int k = 0; k < _keys.Length; k++)
                {
                    KeyHashing.HashColumn(_keyVectors[k], k == 0, count, selection, _hashes);
                }
            }
            int[] buckets = _table.Buckets;
            int mask = _table.Mask;
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                _heads[k] = buckets[(int)_hashes[row] & mask];
            }
            for (int key = 0; key < _keyVectors.Length; key++)
            {
                ColumnVector vector = _keyVectors[key];
                if (vector.Type.Id == TypeId.Null)
                {
                    _heads.AsSpan(0, count).Fill(NoRow);
                    return;
                }
                if (vector.Validity.AllValid)
                {
                    continue;
                }
                for (int k = 0; k < count; k++)
                {
                    if (vector.IsNullAt(dense ? k : selection[k]))
                    {
                        _heads[k] = NoRow;
                    }
                }
            }
        }

        private Batch? Produce()
        {
            while (true)
            {
                switch (_phase)
                {
                    case Phase.Pairs:
                    {
                        int pairs = _table.SpatialIndex is not null ? CollectSpatialPairs()
                            : _keys.Length == 0 ? CollectAllPairs()
                            : IsSingleIntegerKey() ? CollectSingleIntegerKeyPairs()
                            : CollectHashPairs();
                        if (_activeRow >= _input!.Count)
                        {
                            _phase = _join.ProbeIsOuter ? Phase.UnmatchedProbeRows : Phase.Done;
                        }
                        Batch? output = pairs == 0 ? null : EmitPairs(pairs);
                        if (output is not null)
                        {
                            return output;
                        }
                        break;
                    }
                    case Phase.UnmatchedProbeRows:
                    {
                        _phase = Phase.Done;
                        Batch? output = EmitUnmatchedProbeRows();
                        if (output is not null)
                        {
                            return output;
                        }
                        break;
                    }
                    default:
                        return null;
                }
            }
        }

        /// <summary>Walks the hash chains from where the last call stopped; keeps pairs whose hashes and keys are equal.</summary>
        private int CollectHashPairs()
        {
            Batch input = _input!;
            int count = input.Count;
            ReadOnlySpan<int> selection = input.Selection is null ? default : input.Selection.AsSpan(count);
            bool dense = selection.IsEmpty;
            int[] next = _table.Next;
            ulong[] buildHashes = _table.Hashes;
            int pairs = 0;
            int activeRow = _activeRow;
            int buildRow = _buildRow;
            int probeRow = activeRow >= 0 && activeRow < count ? (dense ? activeRow : selection[activeRow]) : 0;
            while (pairs < Batch.Capacity)
            {
                if (buildRow == NoRow)
                {
                    if (++activeRow >= count)
                    {
                        break;
                    }
                    buildRow = _heads[activeRow];
                    probeRow = dense ? activeRow : selection[activeRow];
                    continue;
                }
                if (buildHashes[buildRow] == _hashes[probeRow])
                {
                    _probeRows[pairs] = probeRow;
                    _buildRows[pairs] = buildRow;
                    pairs++;
                }
                buildRow = next[buildRow];
            }
            _activeRow = activeRow;
            _buildRow = buildRow;
            int keyStart = _table.Columns.Length - _keyVectors.Length;
            for (int k = 0; k < _keyVectors.Length && pairs > 0; k++)
            {
                pairs = KeepEqualKeys(_keyVectors[k], _table.Columns[keyStart + k], pairs);
            }
            return pairs;
        }

        /// <summary>One dictionary-encoded string key (a low-cardinality string column as scanned): hashed and compared per dictionary entry.</summary>
        private bool IsSingleStringDictionaryKey() =>
            _keyVectors.Length == 1 && _keyVectors[0].Encoding == VectorEncoding.Dictionary
            && _keyVectors[0].Type.Id is TypeId.String or TypeId.Binary && _keyVectors[0].Dictionary!.Encoding == VectorEncoding.Flat;

        /// <summary>One flat 64-bit integer-like key (the common case): equal keys are equal values, so the bucket mates' keys are compared directly, without their hashes.</summary>
        private bool IsSingleIntegerKey() =>
            _keyVectors.Length == 1 && _keyVectors[0].Encoding == VectorEncoding.Flat
            && _keyVectors[0].Type.Id is TypeId.Int or TypeId.UInt or TypeId.Timestamp or TypeId.Interval;

        /// <summary><see cref="CollectHashPairs"/> for <see cref="IsSingleIntegerKey"/>: one pass over the chains, keys compared as they are walked.</summary>
        private int CollectSingleIntegerKeyPairs()
        {
            Batch input = _input!;
            int count = input.Count;
            ReadOnlySpan<int> selection = input.Selection is null ? default : input.Selection.AsSpan(count);
            bool dense = selection.IsEmpty;
            int[] next = _table.Next;
            ReadOnlySpan<long> probeKeys = _keyVectors[0].GetData<long>();
            ReadOnlySpan<long> buildKeys = _table.Columns[^1].GetData<long>();
            int pairs = 0;
            int activeRow = _activeRow;
            int buildRow = _buildRow;
            int probeRow = activeRow >= 0 && activeRow < count ? (dense ? activeRow : selection[activeRow]) : 0;
            long key = probeKeys[probeRow];
            while (pairs < Batch.Capacity)
            {
                if (buildRow == NoRow)
                {
                    if (++activeRow >= count)
                    {
                        break;
                    }
                    buildRow = _heads[activeRow];
                    probeRow = dense ? activeRow : selection[activeRow];
                    key = probeKeys[probeRow];
                    continue;
                }
                if (buildKeys[buildRow] == key)
                {
                    _probeRows[pairs] = probeRow;
                    _buildRows[pairs] = buildRow;
                    pairs++;
                }
                buildRow = next[buildRow];
            }
            _activeRow = activeRow;
            _buildRow = buildRow;
            return pairs;
        }

        /// <summary>
        /// Spatial join: for each probe row, the build rows whose (widened) envelope meets its envelope in the STR-tree,
        /// kept when the exact predicate holds; resumes mid-row when a batch of pairs is full.
        /// </summary>
        private int CollectSpatialPairs()
        {
            Batch input = _input!;
            int count = input.Count;
            SpatialJoinIndex index = _table.SpatialIndex!;
            ColumnVector geometries = _keyVectors[0];
            string function = _join.Build.Spatial!.FunctionName;
            List<int> candidates = _candidates.Rows;
            int pairs = 0;
            while (pairs < Batch.Capacity)
            {
                if (_candidate >= candidates.Count)
                {
                    if (++_activeRow >= count)
                    {
                        _activeRow = count;
                        break;
                    }
                    candidates.Clear();
                    _candidate = 0;
                    int row = input.RowAt(_activeRow);
                    if (geometries.Type.Id == TypeId.Null || geometries.IsNullAt(row))
                    {
                        continue;
                    }
                    _probeGeometry.Set(function, geometries, row);
                    index.FindCandidates(_probeGeometry.Envelope, _candidates);
                    continue;
                }
                int buildRow = candidates[_candidate++];
                if (index.Matches(buildRow, _probeGeometry))
                {
                    _probeRows[pairs] = input.RowAt(_activeRow);
                    _buildRows[pairs] = buildRow;
                    pairs++;
                }
            }
            return pairs;
        }

        /// <summary>Every (probe row, build row) pair, a batch at a time (nested-loop join).</summary>
        private int CollectAllPairs()
        {
            Batch input = _input!;
            int count = input.Count;
            int buildCount = _table.RowCount;
            int pairs = 0;
            while (pairs < Batch.Capacity)
            {
                if (_buildRow == NoRow || _buildRow >= buildCount)
                {
                    if (++_activeRow >= count || buildCount == 0)
                    {
                        _activeRow = count;
                        break;
                    }
                    _buildRow = 0;
                }
                int probeRow = input.RowAt(_activeRow);
                int take = Math.Min(Batch.Capacity - pairs, buildCount - _buildRow);
                _probeRows.AsSpan(pairs, take).Fill(probeRow);
                for (int t = 0; t < take; t++)
                {
                    _buildRows[pairs + t] = _buildRow + t;
                }
                pairs += take;
                _buildRow += take;
            }
            return pairs;
        }

        /// <summary>Keeps the pairs whose probe key equals their build key (in place); returns how many remain.</summary>
        private int KeepEqualKeys(ColumnVector probe, ColumnVector build, int pairs)
        {
            int kept = 0;
            if (probe.Encoding == VectorEncoding.Flat)
            {
                switch (probe.Type.Id)
                {
                    case TypeId.Int or TypeId.UInt or TypeId.Timestamp or TypeId.Interval:
                    {
                        ReadOnlySpan<long> left = probe.GetData<long>();
                        ReadOnlySpan<long> right = build.GetData<long>();
                        for (int j = 0; j < pairs; j++)
                        {
                            if (left[_probeRows[j]] == right[_buildRows[j]])
                            {
                                _probeRows[kept] = _probeRows[j];
                                _buildRows[kept++] = _buildRows[j];
                            }
                        }
                        return kept;
                    }
                    case TypeId.Float:
                    {
                        ReadOnlySpan<double> left = probe.GetData<double>();
                        ReadOnlySpan<double> right = build.GetData<double>();
                        for (int j = 0; j < pairs; j++)
                        {
                            if (ValueOrder.CompareFloat(left[_probeRows[j]], right[_buildRows[j]]) == 0)
                            {
                                _probeRows[kept] = _probeRows[j];
                                _buildRows[kept++] = _buildRows[j];
                            }
                        }
                        return kept;
                    }
                    case TypeId.String or TypeId.Binary:
                        for (int j = 0; j < pairs; j++)
                        {
                            if (probe.GetBytes(_probeRows[j]).SequenceEqual(build.GetBytes(_buildRows[j])))
                            {
                                _probeRows[kept] = _probeRows[j];
                                _buildRows[kept++] = _buildRows[j];
                            }
                        }
                        return kept;
                }
            }
            if (probe.Encoding == VectorEncoding.Dictionary && probe.Type.Id is TypeId.String or TypeId.Binary
                && probe.Dictionary!.Encoding == VectorEncoding.Flat && build.Encoding == VectorEncoding.Flat)
            {
                ColumnVector dictionary = probe.Dictionary;
                ReadOnlySpan<int> codes = probe.Codes;
                for (int j = 0; j < pairs; j++)
                {
                    if (dictionary.GetBytes(codes[_probeRows[j]]).SequenceEqual(build.GetBytes(_buildRows[j])))
                    {
                        _probeRows[kept] = _probeRows[j];
                        _buildRows[kept++] = _buildRows[j];
                    }
                }
                return kept;
            }
            // Booleans, variants (the Q20 equality) and constant or dictionary vectors.
            for (int j = 0; j < pairs; j++)
            {
                if (ValueOrder.Equal(probe, _probeRows[j], build, _buildRows[j]))
                {
                    _probeRows[kept] = _probeRows[j];
                    _buildRows[kept++] = _buildRows[j];
                }
            }
            return kept;
        }

        /// <summary>Builds the output of the pairs, applies the residual, and records which rows matched.</summary>
        private Batch? EmitPairs(int pairs)
        {
            bool onePairPerProbeRow = true;
            for (int j = 1; j < pairs && onePairPerProbeRow; j++)
            {
                onePairPerProbeRow = _probeRows[j] != _probeRows[j - 1];
            }
            Batch output = onePairPerProbeRow ? AlignPairs(pairs) : GatherPairs(pairs);
            _residual?.Filter(output);
            int matched = output.Count;
            if (matched == 0)
            {
                return null;
            }
            bool probeIsOuter = _join.ProbeIsOuter;
            byte[]? buildMatched = _table.Matched;
            if (!probeIsOuter && buildMatched is null)
            {
                return output;
            }
            bool all = output.Selection is null;
            ReadOnlySpan<int> selection = all ? default : output.Selection!.AsSpan(matched);
            if (onePairPerProbeRow)
            {
                // The selection holds probe rows.
                for (int j = 0; j < matched; j++)
                {
                    int probeRow = selection[j];
                    if (probeIsOuter)
                    {
                        _probeMatched[probeRow] = true;
                    }
                    if (buildMatched is not null)
                    {
                        buildMatched[_buildRowOfProbeRow[probeRow]] = 1;
                    }
                }
                return output;
            }
            // The selection (if any) holds pair indices. Workers only ever set build flags to 1, and they are read
            // after every worker has finished.
            for (int j = 0; j < matched; j++)
            {
                int pair = all ? j : selection[j];
                if (probeIsOuter)
                {
                    _probeMatched[_probeRows[pair]] = true;
                }
                if (buildMatched is not null)
                {
                    buildMatched[_buildRows[pair]] = 1;
                }
            }
            return output;
        }

        /// <summary>Pairs that repeat probe rows: both sides' columns are gathered densely, one output row per pair.</summary>
        private Batch GatherPairs(int pairs)
        {
            Batch input = _input!;
            ReadOnlySpan<int> probeRows = _probeRows.AsSpan(0, pairs);
            ReadOnlySpan<int> buildRows = _buildRows.AsSpan(0, pairs);
            int probeOffset = _join.ProbeOffset;
            for (int c = 0; c < _probeColumns; c++)
            {
                GatherKernels.Compact(input.Columns[c], pairs, probeRows, _output.Columns[probeOffset + c]);
            }
            int buildOffset = _join.BuildOffset;
            int buildColumns = _join.Build.Schema.Count;
            for (int c = 0; c < buildColumns; c++)
            {
                GatherKernels.Compact(_table.Columns[c], pairs, buildRows, _output.Columns[buildOffset + c]);
            }
            _output.SetCount(pairs);
            return _output;
        }

        /// <summary>
        /// At most one pair per probe row (the usual key lookup): the output keeps the input's vectors and row positions
        /// (no copy of the probe side), each build value is written at its probe row, and the pairs' probe rows are the
        /// selection.
        /// </summary>
        private Batch AlignPairs(int pairs)
        {
            Batch input = _input!;
            ReadOnlySpan<int> probeRows = _probeRows.AsSpan(0, pairs);
            ReadOnlySpan<int> buildRows = _buildRows.AsSpan(0, pairs);
            int probeOffset = _join.ProbeOffset;
            for (int c = 0; c < _probeColumns; c++)
            {
                _aligned.Columns[probeOffset + c] = input.Columns[c];
            }
            int buildOffset = _join.BuildOffset;
            int buildColumns = _join.Build.Schema.Count;
            // A small build side's strings are not copied: the output codes point into the build column, so what
            // follows (a GROUP BY on a dimension attribute, above all) works on codes.
            bool codeStrings = _table.RowCount <= Batch.Capacity;
            for (int c = 0; c < buildColumns; c++)
            {
                ColumnVector source = _table.Columns[c];
                if (codeStrings && source.Type.Physical == PhysicalKind.VarBytes && source.Encoding == VectorEncoding.Flat)
                {
                    ScatterCodes(source, buildRows, probeRows, _aligned.Columns[buildOffset + c], input.PhysicalCount);
                }
                else
                {
                    Scatter(source, buildRows, probeRows, _aligned.Columns[buildOffset + c], input.PhysicalCount);
                }
            }
            for (int j = 0; j < pairs; j++)
            {
                _buildRowOfProbeRow[probeRows[j]] = buildRows[j];
            }
            _aligned.PhysicalCount = input.PhysicalCount;
            probeRows.CopyTo(_aligned.SelectionStorage.Indices);
            _aligned.ApplySelection(pairs);
            return _aligned;
        }

        /// <summary>Like <see cref="Scatter"/>, as a dictionary vector over <paramref name="source"/>: <c>codes[to[j]] = from[j]</c>.</summary>
        private static void ScatterCodes(ColumnVector source, ReadOnlySpan<int> from, ReadOnlySpan<int> to, ColumnVector destination, int rows)
        {
            destination.Reset(source.Type);
            destination.SetDictionary(source);
            Span<int> codes = destination.Codes;
            codes[..rows].Clear(); // rows without a pair are not selected, but their codes must still be in range
            for (int j = 0; j < from.Length; j++)
            {
                codes[to[j]] = from[j];
            }
            CopyNulls(source, from, to, destination);
        }

        /// <summary><c>destination[to[j]] = source[from[j]]</c> for a flat source; <paramref name="to"/> is ascending.</summary>
        private static void Scatter(ColumnVector source, ReadOnlySpan<int> from, ReadOnlySpan<int> to, ColumnVector destination, int rows)
        {
            destination.Reset(source.Type);
            switch (source.Type.Physical)
            {
                case PhysicalKind.Fixed64:
                {
                    ReadOnlySpan<long> values = source.GetData<long>();
                    Span<long> target = destination.GetData<long>();
                    for (int j = 0; j < from.Length; j++)
                    {
                        target[to[j]] = values[from[j]];
                    }
                    break;
                }
                case PhysicalKind.Bool8:
                {
                    ReadOnlySpan<byte> values = source.GetData<byte>();
                    Span<byte> target = destination.GetData<byte>();
                    for (int j = 0; j < from.Length; j++)
                    {
                        target[to[j]] = values[from[j]];
                    }
                    break;
                }
                case PhysicalKind.VarBytes:
                    for (int j = 0; j < from.Length; j++)
                    {
                        destination.SetBytes(to[j], source.GetBytes(from[j]));
                    }
                    destination.FinishBytes(rows);
                    break;
            }
            CopyNulls(source, from, to, destination);
        }

        private static void CopyNulls(ColumnVector source, ReadOnlySpan<int> from, ReadOnlySpan<int> to, ColumnVector destination)
        {
            if (!source.Validity.AllValid)
            {
                for (int j = 0; j < from.Length; j++)
                {
                    if (source.Validity.IsNull(from[j]))
                    {
                        destination.Validity.SetNull(to[j], destination.Capacity);
                    }
                }
            }
        }

        /// <summary>The probe rows no pair matched, pointing at the input's vectors, with NULL build columns.</summary>
        private Batch? EmitUnmatchedProbeRows()
        {
            Batch input = _input!;
            Span<int> indices = _unmatched.SelectionStorage.Indices;
            int unmatched = 0;
            for (int k = 0; k < input.Count; k++)
            {
                int row = input.RowAt(k);
                if (!_probeMatched[row])
                {
                    indices[unmatched++] = row;
                }
            }
            if (unmatched == 0)
            {
                return null;
            }
            int probeOffset = _join.ProbeOffset;
            for (int c = 0; c < _probeColumns; c++)
            {
                _unmatched.Columns[probeOffset + c] = input.Columns[c];
            }
            _unmatched.PhysicalCount = input.PhysicalCount;
            _unmatched.ApplySelection(unmatched);
            return _unmatched;
        }

        public override void Dispose()
        {
            foreach (ExpressionEvaluator key in _keys)
            {
                key.Dispose();
            }
            _residual?.Dispose();
            _output.Release();
            for (int c = 0; c < _join.Build.Schema.Count; c++)
            {
                _aligned.Columns[_join.BuildOffset + c].Release();
                _unmatched.Columns[_join.BuildOffset + c].Release();
            }
        }
    }

    /// <summary>The build rows no probe row matched, a batch at a time, with NULL probe columns.</summary>
    private sealed class UnmatchedBuildReader : SourceReader
    {
        private readonly PhysicalJoinProbe _join;
        private readonly JoinBuildState _table;
        private readonly Batch _output;
        private readonly int[] _rows = new int[Batch.Capacity];
        private int _next;

        public UnmatchedBuildReader(PhysicalJoinProbe join, JoinBuildState table)
        {
            _join = join;
            _table = table;
            _output = new Batch(join.Schema);
            for (int c = 0; c < join.ProbeColumnCount; c++)
            {
                int column = join.ProbeOffset + c;
                _output.Columns[column].Release();
                _output.Columns[column] = NullColumn(join.Schema[column].Type);
            }
        }

        public override Batch? Next(CancellationToken cancellationToken)
        {
            byte[] matched = _table.Matched!;
            int found = 0;
            while (_next < _table.RowCount && found < Batch.Capacity)
            {
                if (matched[_next] == 0)
                {
                    _rows[found++] = _next;
                }
                _next++;
            }
            if (found == 0)
            {
                return null;
            }
            ReadOnlySpan<int> rows = _rows.AsSpan(0, found);
            int buildOffset = _join.BuildOffset;
            for (int c = 0; c < _join.Build.Schema.Count; c++)
            {
                GatherKernels.Compact(_table.Columns[c], found, rows, _output.Columns[buildOffset + c]);
            }
            _output.SetCount(found);
            return _output;
        }

        public override void Dispose() => _output.Release();
    }
}
