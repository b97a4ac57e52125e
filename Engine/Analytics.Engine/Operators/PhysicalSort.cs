using System.Collections.Immutable;
using Analytics.Engine.Expressions;
using Analytics.Engine.Physical;
using Analytics.Engine.Planning;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Operators;

/// <summary>
/// ORDER BY as a sink (and Top-N when <see cref="Keep"/> is set): workers materialize their rows plus the evaluated
/// sort keys (for Top-N only rows that can still rank, <see cref="TopNCandidates"/>); <c>Finish</c> sorts row
/// references by the keys (<see cref="SortedRows"/>; ties keep input order, so the sort is stable) and writes the
/// first <see cref="Keep"/> rows (all without a limit) as batches.
/// </summary>
public sealed class PhysicalSort(ImmutableArray<BoundOrderItem> items, long? keep, BatchSchema schema) : PhysicalSink
{
    public ImmutableArray<BoundOrderItem> Items { get; } = items;

    /// <summary>For Top-N: only the first limit + offset rows are kept.</summary>
    public long? Keep { get; } = keep;

    public override BatchSchema Schema { get; } = schema;

    public override string Describe() =>
        (Keep is null ? "Sort " : $"TopN {Keep} ") +
        string.Join(", ", Items.Select(LogicalOrder.DescribeItem));

    public override SinkState CreateGlobalState(QueryContext context) => new GlobalState(this);

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) =>
        new LocalState(new MaterializedRows(Schema, [.. Items.Select(i => i.Expression)], context.Evaluation),
            Keep is long keep && keep <= TopNCandidates.MaxKeep && !Items.IsEmpty
                ? new TopNCandidates((int)keep, Items[0].Descending, Items[0].NullsFirst)
                : null);

    private sealed class LocalState(MaterializedRows rows, TopNCandidates? candidates) : SinkLocalState
    {
        public MaterializedRows Rows { get; } = rows;

        public override void Sink(Batch batch) => Rows.Add(batch, candidates);

        public override void Dispose() => Rows.Dispose();
    }

    private sealed class GlobalState(PhysicalSort sort) : SinkState
    {
        private readonly List<Batch> _input = [];
        private readonly List<Batch> _output = [];

        public override IReadOnlyList<Batch> Output => _output;

        public override void Combine(SinkLocalState local) => _input.AddRange(((LocalState)local).Rows.Batches);

        public override void Finish()
        {
            int columns = sort.Schema.Count;
            SortedRows sorted = new(_input, SortKey.From(sort.Items, columns));
            long[] rows = sorted.References();
            long keep = Math.Min(rows.Length, sort.Keep ?? rows.Length);
            RowReferences.GatherBatches(_input, rows.AsSpan(0, (int)keep), sort.Schema, _output);
            foreach (Batch batch in _input)
            {
                batch.Release();
            }
            _input.Clear();
        }

        public override void Dispose()
        {
            foreach (Batch batch in _input)
            {
                batch.Release();
            }
            foreach (Batch batch in _output)
            {
                batch.Release();
            }
            _input.Clear();
            _output.Clear();
        }
    }
}
