using System.Collections.Immutable;
using Analytics.Engine.Catalog;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Vectors;
using System.Text;
using System.Text.Json;
using Analytics.Engine.Execution;

namespace Analytics.Engine.Operators;

/// <summary>
/// Appends rows through one <see cref="ITableWriter"/> and commits once in <c>Finish</c>: all rows or none become
/// visible (an error or cancellation disposes the writer uncommitted). Output: one row with the inserted count.
/// Without <see cref="PreserveOrder"/> every worker compacts its own batches and only the append is serialised.
/// </summary>
public sealed class PhysicalInsert(TableEntry table, ImmutableArray<int> targetColumns, bool preserveOrder = true, int partitionKeys = 0) : PhysicalSink
{
    public TableEntry Table { get; } = table;
    public ImmutableArray<int> TargetColumns { get; } = targetColumns;
    public bool PreserveOrder { get; } = preserveOrder;

    /// <summary>Trailing input columns holding partition key values (see <see cref="LogicalInsert.PartitionKeys"/>).</summary>
    public int PartitionKeys { get; } = partitionKeys;

    public override BatchSchema Schema => LogicalInsert.CountSchema;
    public override bool RequiresOrder => PreserveOrder || PartitionKeys > 0;

    public override string Describe() => $"Insert {Table.Name}" + (PartitionKeys == 0 ? "" : $" partition_keys={PartitionKeys}");

    public override SinkState CreateGlobalState(QueryContext context) => new GlobalState(this, context);

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) => new LocalState(this, (GlobalState)globalState);

    private sealed class LocalState(PhysicalInsert insert, GlobalState global) : SinkLocalState
    {
        private readonly Batch _row = new(insert.Table.Schema);
        private readonly int[] _run = new int[Batch.Capacity];

        public override void Sink(Batch batch)
        {
            if (insert.PartitionKeys == 0)
            {
                Append(batch, batch.Count, batch.Selection is null ? default : batch.Selection.AsSpan(batch.Count));
                return;
            }
            // Rows arrive sorted by partition keys: each run of equal keys is appended, then its partition ended.
            int count = batch.Count;
            int runStart = 0;
            global.Partitions.Use(batch);
            for (int i = 0; i < count; i++)
            {
                int row = batch.RowAt(i);
                if (global.Partitions.IsNewPartition(row))
                {
                    AppendRun(batch, runStart, i);
                    runStart = i;
                    global.Partitions.Start(row, global.Writer);
                }
            }
            AppendRun(batch, runStart, count);
        }

        /// <summary>Appends logical rows [<paramref name="start"/>, <paramref name="end"/>) of the batch.</summary>
        private void AppendRun(Batch batch, int start, int end)
        {
            if (end <= start)
            {
                return;
            }
            for (int i = start; i < end; i++)
            {
                _run[i - start] = batch.RowAt(i);
            }
            Append(batch, end - start, _run.AsSpan(0, end - start));
        }

        private void Append(Batch batch, int count, ReadOnlySpan<int> selection)
        {
            if (global.AppendsAnyBatch && count == batch.Count && CoversTableInOrder(batch))
            {
                // The accumulators copy the active rows of any encoding themselves: no compaction copy first.
                lock (global.Writer)
                {
                    global.Writer.Append(batch);
                }
                return;
            }
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

        /// <summary>Whether the batch's columns are the table's, in its order and with its physical kinds (no partition keys).</summary>
        private bool CoversTableInOrder(Batch batch)
        {
            if (batch.Columns.Length != _row.Columns.Length || insert.TargetColumns.Length != _row.Columns.Length)
            {
                return false;
            }
            for (int i = 0; i < insert.TargetColumns.Length; i++)
            {
                if (insert.TargetColumns[i] != i || batch.Columns[i].Type.Physical != insert.Table.Schema[i].Type.Physical)
                {
                    return false;
                }
            }
            return true;
        }

        public override void Dispose() => _row.Release();
    }

    private sealed class GlobalState(PhysicalInsert insert, QueryContext context) : SinkState
    {
        private readonly List<Batch> _output = [];

        public ITableWriter Writer { get; } = insert.Table.Storage.OpenWriter();

        /// <summary>
        /// The writer copies the active rows of a batch in any vector encoding (selection, constants, dictionaries), so
        /// batches need not be compacted first; other writers (e.g. format appenders) get compacted batches.
        /// </summary>
        public bool AppendsAnyBatch => Writer is AccumulatingTableWriter;

        public PartitionTracker Partitions { get; } = new(insert.TargetColumns.Length, insert.PartitionKeys);

        public override IReadOnlyList<Batch> Output => _output;

        public override void Combine(SinkLocalState local)
        {
        }

        public override void Finish()
        {
            Partitions.End(Writer);
            long rows = Writer.Commit();
            context.RowsAffected = rows;
            Batch batch = new(insert.Schema);
            batch.Columns[0].GetData<long>()[0] = rows;
            batch.SetCount(1);
            _output.Add(batch);
        }

        public override void Dispose()
        {
            Partitions.Dispose();
            Writer.Dispose();
            foreach (Batch batch in _output)
            {
                batch.Release();
            }
            _output.Clear();
        }
    }

    /// <summary>The partition key values of the run of rows being appended; ending a run ends its partition in the writer.</summary>
    private sealed class PartitionTracker(int firstKeyColumn, int keys) : IDisposable
    {
        private readonly KeyRunTracker _runs = new(keys);
        private readonly ColumnVector[] _keyColumns = new ColumnVector[keys];

        /// <summary>Takes the key columns of the batch the next calls look at.</summary>
        public void Use(Batch batch)
        {
            for (int k = 0; k < _keyColumns.Length; k++)
            {
                _keyColumns[k] = batch.Columns[firstKeyColumn + k];
            }
        }

        /// <summary>Whether the row's keys differ from the current run's (the first row always starts one).</summary>
        public bool IsNewPartition(int row) => _runs.IsNewRun(_keyColumns, row);

        /// <summary>Ends the current run (if any) and starts one with the row's keys.</summary>
        public void Start(int row, ITableWriter writer)
        {
            End(writer);
            _runs.Start(_keyColumns, row);
        }

        public void End(ITableWriter writer)
        {
            if (!_runs.Started)
            {
                return;
            }
            StringBuilder text = new("[");
            for (int k = 0; k < keys; k++)
            {
                ColumnVector value = _runs.Current(k);
                text.Append(k == 0 ? "" : ",");
                if (value.IsNullAt(0))
                {
                    text.Append("null");
                }
                else
                {
                    text.Append('"').Append(JsonEncodedText.Encode(ValueFormatter.Format(value, 0)).Value).Append('"');
                }
            }
            ColumnVector first = _runs.Current(0);
            long? timestamp = first.Type.Id == TypeId.Timestamp && !first.IsNullAt(0) ? first.GetData<long>()[0] : null;
            writer.EndPartition(new PartitionValue(text.Append(']').ToString(), timestamp));
            _runs.Clear();
        }

        public void Dispose() => _runs.Dispose();
    }
}
