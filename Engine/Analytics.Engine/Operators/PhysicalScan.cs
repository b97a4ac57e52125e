using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Optimization.Rules;
using Analytics.Engine.Physical;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// Reads a source: PlanScan once per query, then each worker takes splits from a shared queue (the morsels), opens a
/// reader per split, and applies the residual filters right after reading. Variant paths the source does not extract
/// itself (<see cref="EnginePaths"/>) are extracted from the scanned variant columns into the columns after the
/// source's output, before the residual filters. A source that can prove a filter from a split's statistics
/// (<see cref="IProvesFilters"/>) spares the residual filter it proves true for every row of that split, and then also
/// the decoding of the columns nothing but the proven filters reads (<see cref="ScanRequest.FilterOnlyColumns"/>): a
/// block inside a time range under <c>count()</c> yields batches that carry only their row count. A comparison of such
/// a column with a constant is offered to the reader to evaluate on the column's stored (packed) values, so the column
/// is not decoded at all (<see cref="ILateMaterializingReader.SelectStored"/>).
/// </summary>
public sealed class PhysicalScan(string tableName, IScanSource source, ScanRequest request, ImmutableArray<BoundExpression> residualFilters, BatchSchema schema,
    ImmutableArray<ScanVariantPath> enginePaths = default)
    : PhysicalSource
{
    public string TableName { get; } = tableName;
    public IScanSource Source { get; } = source;
    public ScanRequest Request { get; } = request;
    public ImmutableArray<BoundExpression> ResidualFilters { get; } = residualFilters;
    public override BatchSchema Schema { get; } = schema;
    public ImmutableArray<ScanVariantPath> EnginePaths { get; } = enginePaths.IsDefault ? [] : enginePaths;

    public override string Describe() =>
        $"Scan {TableName} [{string.Join(", ", Schema.Fields.Select(f => f.Name))}]" +
        (EnginePaths.IsEmpty ? "" : $" engine_paths={EnginePaths.Length}") +
        (Request.Filters.IsEmpty ? "" : $" pushed={Request.Filters.Length}") +
        (ResidualFilters.IsEmpty ? "" : $" filters=[{string.Join(", ", ResidualFilters.Select(BoundExpressionPrinter.Print))}]") +
        (Request.Limit is null ? "" : $" limit={Request.Limit}");

    public override SourceState CreateState(QueryContext context) => new State(this, context);

    private sealed class State : SourceState
    {
        private readonly PhysicalScan _scan;
        private readonly QueryContext _context;
        private readonly ImmutableArray<ScanSplit> _splits;
        private readonly ScanContext _scanContext;

        /// <summary>Per residual filter, its scan-filter form when the source may prove it per split, else null.</summary>
        private readonly ScanFilter?[] _provable;

        /// <summary>
        /// The output columns the residual filters read, decoded first; null when every column is needed up front (no
        /// filters, filters over all columns, or engine-extracted paths). The others are decoded only for batches
        /// some row of which passes (late materialization, <see cref="ILateMaterializingReader"/>).
        /// </summary>
        private readonly bool[]? _filterColumns;

        /// <summary>
        /// Per output column, whether nothing above the scan reads it (<see cref="ScanRequest.FilterOnlyColumns"/>);
        /// null when there is none, or when the scan itself extracts variant paths from its columns.
        /// </summary>
        private readonly bool[]? _filterOnly;

        /// <summary>Per residual filter, the output columns it reads.</summary>
        private readonly int[][] _filterReads;

        /// <summary>
        /// Per residual filter, when it compares a filter-only column no other filter reads with a constant: that output
        /// column and the comparison, which a reader may evaluate on the column's stored values (then never decoded).
        /// </summary>
        private readonly (int Column, CompareFilter Compare)?[] _storedCompares;
        private int _next = -1;

        public State(PhysicalScan scan, QueryContext context)
        {
            _scan = scan;
            _context = context;
            ScanPlan plan = scan.Source.PlanScan(scan.Request);
            _splits = plan.Splits;
            _scanContext = new ScanContext(plan.Metrics);
            context.RegisterScan(scan, plan.Metrics);
            _filterColumns = FilterColumns(scan);
            _filterOnly = FilterOnly(scan);
            _filterReads = new int[scan.ResidualFilters.Length][];
            for (int i = 0; i < _filterReads.Length; i++)
            {
                HashSet<int> reads = [];
                BoundExpressionRewriter.CollectColumns(scan.ResidualFilters[i], reads);
                _filterReads[i] = [.. reads];
            }
            _storedCompares = StoredCompares(scan, _filterOnly, _filterReads);
            _provable = new ScanFilter?[scan.ResidualFilters.Length];
            if (scan.Source is IProvesFilters)
            {
                for (int i = 0; i < _provable.Length; i++)
                {
                    _provable[i] = ProvableForm(scan.ResidualFilters[i], scan.Request.Columns);
                }
            }
            long total = 0;
            foreach (ScanSplit split in _splits)
            {
                total += Math.Max(0, split.EstimatedRows);
            }
            EstimatedRows = total;
        }

        public override long EstimatedRows { get; }

        public override SourceReader CreateReader() => new Reader(this);

        private static bool[]? FilterColumns(PhysicalScan scan)
        {
            if (scan.ResidualFilters.IsEmpty || !scan.EnginePaths.IsEmpty)
            {
                return null;
            }
            HashSet<int> used = [];
            foreach (BoundExpression filter in scan.ResidualFilters)
            {
                BoundExpressionRewriter.CollectColumns(filter, used);
            }
            int columns = scan.Request.OutputColumnCount;
            if (used.Count >= columns)
            {
                return null;
            }
            bool[] first = new bool[columns];
            foreach (int column in used)
            {
                first[column] = true;
            }
            return first;
        }

        public bool[]? FilterColumnsToReadFirst => _filterColumns;

        private static bool[]? FilterOnly(PhysicalScan scan)
        {
            if (scan.Request.FilterOnlyColumns.IsEmpty || !scan.EnginePaths.IsEmpty)
            {
                return null;
            }
            bool[] filterOnly = new bool[scan.Request.OutputColumnCount];
            foreach (int column in scan.Request.FilterOnlyColumns)
            {
                filterOnly[column] = true;
            }
            return filterOnly;
        }

        private static (int Column, CompareFilter Compare)?[] StoredCompares(PhysicalScan scan, bool[]? filterOnly, int[][] filterReads)
        {
            (int Column, CompareFilter Compare)?[] compares = new (int, CompareFilter)?[filterReads.Length];
            if (filterOnly is null)
            {
                return compares;
            }
            for (int i = 0; i < compares.Length; i++)
            {
                if (filterReads[i] is not [int column] || column >= scan.Request.Columns.Length || !filterOnly[column]
                    || FilterPushdownRule.ToScanFilter(scan.ResidualFilters[i], scan.Request.Columns) is not CompareFilter compare)
                {
                    continue;
                }
                bool alone = true;
                for (int other = 0; other < filterReads.Length; other++)
                {
                    alone &= other == i || Array.IndexOf(filterReads[other], column) < 0;
                }
                if (alone)
                {
                    compares[i] = (column, compare);
                }
            }
            return compares;
        }

        /// <summary>
        /// Offers <paramref name="reader"/> the first comparison not proven over its split that it can evaluate on stored
        /// values; marks it in <paramref name="selected"/> (the scan does not evaluate it then) and its column omitted.
        /// Returns the omitted columns (<paramref name="omittedStorage"/> when some are, else null).
        /// </summary>
        public bool[]? SelectStored(ILateMaterializingReader reader, bool[] proven, bool[] selected, bool[]? omitted, bool[] omittedStorage)
        {
            Array.Clear(selected);
            for (int i = 0; i < selected.Length; i++)
            {
                if (!proven[i] && _storedCompares[i] is var (column, compare) && reader.SelectStored(column, compare.Op, compare.Value, omitted))
                {
                    selected[i] = true;
                    if (omitted is null)
                    {
                        Array.Clear(omittedStorage);
                        omitted = omittedStorage;
                    }
                    omitted[column] = true;
                    break;
                }
            }
            return omitted;
        }

        /// <summary>
        /// Marks in <paramref name="omitted"/> the filter-only columns no residual filter still evaluated over the split
        /// (not <paramref name="proven"/>) reads; false when there is none.
        /// </summary>
        public bool Omit(bool[] proven, bool[] omitted)
        {
            if (_filterOnly is null)
            {
                return false;
            }
            _filterOnly.CopyTo(omitted, 0);
            for (int i = 0; i < proven.Length; i++)
            {
                if (!proven[i])
                {
                    foreach (int column in _filterReads[i])
                    {
                        omitted[column] = false;
                    }
                }
            }
            return Array.IndexOf(omitted, true) >= 0;
        }

        /// <summary>The scan-filter form of a residual conjunct over the source's own columns (not variant paths), or null.</summary>
        private static ScanFilter? ProvableForm(BoundExpression conjunct, ImmutableArray<int> sourceColumns)
        {
            HashSet<int> used = [];
            BoundExpressionRewriter.CollectColumns(conjunct, used);
            foreach (int column in used)
            {
                if (column >= sourceColumns.Length)
                {
                    return null;
                }
            }
            return FilterPushdownRule.ToScanFilter(conjunct, sourceColumns);
        }

        /// <summary>Marks in <paramref name="proven"/> the residual filters the source proves for every row of <paramref name="split"/>.</summary>
        public void Prove(ScanSplit split, bool[] proven)
        {
            for (int i = 0; i < proven.Length; i++)
            {
                proven[i] = _provable[i] is { } filter && ((IProvesFilters)_scan.Source).AllRowsMatch(split, filter);
            }
        }

        public ScanSplit? TakeSplit()
        {
            int index = Interlocked.Increment(ref _next);
            return index < _splits.Length ? _splits[index] : null;
        }

        private sealed class Reader : SourceReader
        {
            private readonly State _state;
            private readonly Batch _batch;
            private readonly ExpressionEvaluator[] _filters;

            /// <summary>Per residual filter: proven true for every row of the current split, so not evaluated.</summary>
            private readonly bool[] _proven;

            /// <summary>Per residual filter: evaluated by the reader on stored values in the current split (<see cref="SelectStored"/>).</summary>
            private readonly bool[] _selected;

            /// <summary>The engine's variant paths grouped by the scan column they read: one pass over its rows for all of them.</summary>
            private readonly PathGroup[] _pathGroups;
            private readonly VariantRowReader _variantRows = new();
            private IScanReader? _reader;

            /// <summary>
            /// The current reader when it decodes the filters' columns first (<see cref="FilterColumnsToReadFirst"/>) or
            /// leaves some columns out (<see cref="_omitted"/>).
            /// </summary>
            private ILateMaterializingReader? _late;

            /// <summary>Per output column: not decoded in the current split (see <see cref="Omit"/>); null when none is.</summary>
            private bool[]? _omitted;
            private readonly bool[] _omittedStorage;

            public Reader(State state)
            {
                _state = state;
                _batch = new Batch(state._scan.Schema);
                _filters = new ExpressionEvaluator[state._scan.ResidualFilters.Length];
                _proven = new bool[_filters.Length];
                _selected = new bool[_filters.Length];
                _omittedStorage = new bool[state._scan.Request.OutputColumnCount];
                for (int i = 0; i < _filters.Length; i++)
                {
                    _filters[i] = new ExpressionEvaluator(state._scan.ResidualFilters[i], state._context.Evaluation);
                }
                ScanRequest request = state._scan.Request;
                ImmutableArray<ScanVariantPath> paths = state._scan.EnginePaths;
                Dictionary<int, (List<VariantPathExtractor> Extractors, List<ColumnVector> Outputs)> groups = [];
                List<int> inputs = [];
                for (int i = 0; i < paths.Length; i++)
                {
                    ScanVariantPath path = paths[i];
                    int input = request.Columns.IndexOf(path.Column);
                    if (input < 0)
                    {
                        ThrowHelper.ThrowInternal($"variant path over source column {path.Column}, which the scan does not read");
                    }
                    if (!groups.TryGetValue(input, out (List<VariantPathExtractor> Extractors, List<ColumnVector> Outputs) group))
                    {
                        groups[input] = group = ([], []);
                        inputs.Add(input);
                    }
                    group.Extractors.Add(path.CreateExtractor());
                    group.Outputs.Add(_batch.Columns[request.OutputColumnCount + i]);
                }
                _pathGroups = new PathGroup[inputs.Count];
                for (int g = 0; g < inputs.Count; g++)
                {
                    (List<VariantPathExtractor> extractors, List<ColumnVector> outputs) = groups[inputs[g]];
                    _pathGroups[g] = new PathGroup(inputs[g], [.. extractors], [.. outputs]);
                }
            }

            /// <summary>The paths read from scan column <see cref="Input"/> and the batch columns they fill.</summary>
            private sealed record PathGroup(int Input, VariantPathExtractor[] Extractors, ColumnVector[] Outputs);

            public override Batch? Next(CancellationToken cancellationToken)
            {
                while (true)
                {
                    if (_reader is null)
                    {
                        ScanSplit? split = _state.TakeSplit();
                        if (split is null)
                        {
                            return null;
                        }
                        _reader = _state._scan.Source.OpenReader(split, _state._scan.Request, _state._scanContext);
                        _state.Prove(split, _proven);
                        _late = _reader as ILateMaterializingReader;
                        _omitted = _late is not null && _state.Omit(_proven, _omittedStorage) ? _omittedStorage : null;
                        if (_late is not null)
                        {
                            _omitted = _state.SelectStored(_late, _proven, _selected, _omitted, _omittedStorage);
                        }
                        else
                        {
                            Array.Clear(_selected);
                        }
                        if (_state.FilterColumnsToReadFirst is null && _omitted is null)
                        {
                            _late = null;
                        }
                    }
                    _batch.Reset();
                    if (!(_late is not null ? _late.ReadFirst(_batch, _state.FilterColumnsToReadFirst, _omitted, cancellationToken) : _reader.Read(_batch, cancellationToken)))
                    {
                        _reader.Dispose();
                        _reader = null;
                        _late = null;
                        continue;
                    }
                    _state._context.AddProcessed(_batch.PhysicalCount);
                    foreach (PathGroup group in _pathGroups)
                    {
                        foreach (ColumnVector output in group.Outputs)
                        {
                            output.Reset();
                        }
                        VariantPathExtractor.ExtractAll(_batch.Columns[group.Input], _batch.PhysicalCount, group.Extractors, group.Outputs, _variantRows);
                    }
                    for (int i = 0; i < _filters.Length; i++)
                    {
                        if (!_proven[i] && !_selected[i])
                        {
                            _filters[i].Filter(_batch);
                        }
                    }
                    if (_batch.Count > 0)
                    {
                        _late?.ReadRest(_batch);
                        return _batch;
                    }
                }
            }

            public override void Dispose()
            {
                _reader?.Dispose();
                foreach (ExpressionEvaluator filter in _filters)
                {
                    filter.Dispose();
                }
                _batch.Release();
            }
        }
    }
}
