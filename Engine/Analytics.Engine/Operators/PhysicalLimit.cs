using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Operators;

/// <summary>Skips <see cref="Offset"/> rows, passes <see cref="Limit"/> rows, then stops the pipeline.</summary>
public sealed class PhysicalLimit(long limit, long offset, BatchSchema schema) : PhysicalStreamOperator
{
    public long Limit { get; } = limit;
    public long Offset { get; } = offset;
    public override BatchSchema Schema { get; } = schema;

    public override string Describe() => Offset == 0 ? $"Limit {Limit}" : $"Limit {Limit} offset {Offset}";

    public override object? CreateGlobalState() => new Counter();

    public override OperatorState CreateState(object? globalState, QueryContext context, PipelineControl control) =>
        new State(this, (Counter)globalState!, control);

    private sealed class Counter
    {
        public long Seen;
    }

    private sealed class State(PhysicalLimit limit, Counter counter, PipelineControl control) : OperatorState
    {
        public override Batch? Execute(Batch input)
        {
            long end = limit.Offset + limit.Limit;
            long start = Interlocked.Add(ref counter.Seen, input.Count) - input.Count;
            if (start + input.Count >= end)
            {
                control.Stop();
            }
            long from = Math.Max(0, limit.Offset - start);
            long to = Math.Min(input.Count, end - start);
            if (to <= from)
            {
                return null;
            }
            if (from == 0 && to == input.Count)
            {
                return input;
            }
            Span<int> indices = input.SelectionStorage.Indices;
            int written = 0;
            for (long k = from; k < to; k++)
            {
                // Writing index `written` ≤ k never overwrites an entry still to be read.
                indices[written++] = input.RowAt((int)k);
            }
            input.ApplySelection(written);
            return input;
        }
    }
}
