using System.Collections.Immutable;
using Analytics.Engine.Catalog;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;

namespace Analytics.Engine.Operators;

/// <summary>
/// Appends rows through one <see cref="ITableWriter"/> and commits once in <c>Finish</c>: all rows or none become
/// visible (an error or cancellation disposes the writer uncommitted). Output: one row with the inserted count.
/// Without <see cref="PreserveOrder"/> every worker compacts its own batches and only the append is serialised.
/// </summary>
public sealed class PhysicalInsert(TableEntry table, ImmutableArray<int> targetColumns, bool preserveOrder = true) : PhysicalSink
{
    public TableEntry Table { get; } = table;
    public ImmutableArray<int> TargetColumns { get; } = targetColumns;
    public bool PreserveOrder { get; } = preserveOrder;
    public override BatchSchema Schema => LogicalInsert.CountSchema;
    public override bool RequiresOrder => PreserveOrder;

    public override string Describe() => $"Insert {Table.Name}";

    public override SinkState CreateGlobalState(QueryContext context) => new GlobalState(this, context);

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) => new LocalState(this, (GlobalState)globalState);

    private sealed class LocalState(PhysicalInsert insert, GlobalState global) : SinkLocalState
    {
        private readonly Batch _row = new(insert.Table.Schema);

        public override void Sink(Batch batch)
        {
            int count = batch.Count;
            ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
            _row.Reset();
            Span<bool> targeted = stackalloc bool[_row.Columns.Length];
            for (int i = 0; i < insert.TargetColumns.Length; i++)
            {
                GatherKernels.Compact(batch.Columns[i], count, selection, _row.Columns[insert.TargetColumns[i]]);
                targeted[insert.TargetColumns[i]] = true;
            }
            for (int c = 0; c < _row.Columns.Length; c++)
            {
                if (!targeted[c])
                {
                    for (int r = 0; r < count; r++)
                    {
                        Execution.RowValues.Set(_row.Columns[c], r, null);
                    }
                }
            }
            _row.SetCount(count);
            lock (global.Writer)
            {
                global.Writer.Append(_row);
            }
        }

        public override void Dispose() => _row.Release();
    }

    private sealed class GlobalState(PhysicalInsert insert, QueryContext context) : SinkState
    {
        private readonly List<Batch> _output = [];

        public ITableWriter Writer { get; } = insert.Table.Storage.OpenWriter();

        public override IReadOnlyList<Batch> Output => _output;

        public override void Combine(SinkLocalState local)
        {
        }

        public override void Finish()
        {
            long rows = Writer.Commit();
            context.RowsAffected = rows;
            Batch batch = new(insert.Schema);
            batch.Columns[0].GetData<long>()[0] = rows;
            batch.SetCount(1);
            _output.Add(batch);
        }

        public override void Dispose()
        {
            Writer.Dispose();
            foreach (Batch batch in _output)
            {
                batch.Release();
            }
            _output.Clear();
        }
    }
}
