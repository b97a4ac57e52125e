using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;

namespace Analytics.Engine.Results;

/// <summary>The last sink: copies each batch's active rows densely into a recycled batch and hands it to the consumer.</summary>
public sealed class PhysicalResultSink(BatchSchema schema, bool preserveOrder) : PhysicalSink
{
    public override BatchSchema Schema { get; } = schema;

    public override bool RequiresOrder => preserveOrder;

    public override string Describe() => "Result";

    public override SinkState CreateGlobalState(QueryContext context) => new GlobalState();

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) =>
        new LocalState(context.Results ?? throw new InvalidOperationException("result sink without a channel"), context.CancellationToken);

    private sealed class LocalState(ResultChannel channel, CancellationToken cancellationToken) : SinkLocalState
    {
        public override void Sink(Batch batch)
        {
            Batch output = channel.Rent();
            int count = batch.Count;
            ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
            for (int c = 0; c < output.Columns.Length; c++)
            {
                GatherKernels.Compact(batch.Columns[c], count, selection, output.Columns[c]);
            }
            output.SetCount(count);
            channel.Publish(output, cancellationToken);
        }
    }

    private sealed class GlobalState : SinkState
    {
        public override void Combine(SinkLocalState local)
        {
        }

        public override void Finish()
        {
        }
    }
}
