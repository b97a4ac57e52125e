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
/// (<see cref="IProvesFilters"/>) spares the residual filter it proves true for every row of that split.
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
            /// <summary>The engine's variant paths grouped by the scan column they read: one pass over its rows for all of them.</summary>
            private readonly PathGroup[] _pathGroups;
            private readonly VariantRowReader _variantRows = new();
            private IScanReader? _reader;

            /// <summary>The current reader when it decodes the filters' columns first (<see cref="FilterColumnsToReadFirst"/>).</summary>
            private ILateMaterializingReader? _late;

            public Reader(State state)
            {
                _state = state;
                _batch = new Batch(state._scan.Schema);
                _filters = new ExpressionEvaluator[state._scan.ResidualFilters.Length];
                _proven = new bool[_filters.Length];
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
                        _late = _state.FilterColumnsToReadFirst is not null ? _reader as ILateMaterializingReader : null;
                    }
                    _batch.Reset();
                    if (!(_late is not null ? _late.ReadFirst(_batch, _state.FilterColumnsToReadFirst, cancellationToken) : _reader.Read(_batch, cancellationToken)))
                    {
                        _reader.Dispose();
                        _reader = null;
                        _late = null;
                        continue;
                    }
                    _state._context.AddProcessed(_batch.Count);
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
                        if (!_proven[i])
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
