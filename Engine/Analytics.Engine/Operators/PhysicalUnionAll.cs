using System.Collections.Immutable;
using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Kernels;
using Analytics.Vector.Types;

namespace Analytics.Engine.Operators;

/// <summary>
/// The end of one UNION ALL input's pipeline: keeps compacted copies of its batches for
/// <see cref="PhysicalUnionAllSource"/>. Inputs run one after the other, each on every core.
/// </summary>
public sealed class PhysicalUnionInput(BatchSchema schema) : PhysicalSink
{
    public override BatchSchema Schema { get; } = schema;

    public override string Describe() => "UnionInput";

    public override SinkState CreateGlobalState(QueryContext context) => new GlobalState();

    public override SinkLocalState CreateLocalState(SinkState globalState, QueryContext context) => new LocalState(Schema);

    private sealed class LocalState(BatchSchema schema) : SinkLocalState
    {
        public List<Batch> Batches { get; } = [];

        public override void Sink(Batch batch)
        {
            int count = batch.Count;
            ReadOnlySpan<int> selection = batch.Selection is null ? default : batch.Selection.AsSpan(count);
            Batch stored = new(schema);
            for (int c = 0; c < schema.Count; c++)
            {
                GatherKernels.Compact(batch.Columns[c], count, selection, stored.Columns[c]);
            }
            stored.SetCount(count);
            Batches.Add(stored);
        }
    }

    private sealed class GlobalState : SinkState
    {
        private readonly List<Batch> _output = [];

        public override IReadOnlyList<Batch> Output => _output;

        public override void Combine(SinkLocalState local) => _output.AddRange(((LocalState)local).Batches);

        public override void Finish()
        {
        }

        public override void Dispose()
        {
            foreach (Batch batch in _output)
            {
                batch.Release();
            }
            _output.Clear();
        }
    }
}

/// <summary>UNION ALL: the collected batches of every input, in no particular order (read on every core).</summary>
public sealed class PhysicalUnionAllSource(ImmutableArray<PhysicalUnionInput> inputs, BatchSchema schema) : PhysicalSource
{
    public ImmutableArray<PhysicalUnionInput> Inputs { get; } = inputs;
    public override BatchSchema Schema { get; } = schema;

    public override string Describe() => $"UnionAll {Inputs.Length} inputs";

    public override SourceState CreateState(QueryContext context)
    {
        List<Batch> batches = [];
        foreach (PhysicalUnionInput input in Inputs)
        {
            batches.AddRange(context.StateOf(input).Output);
        }
        return new BatchListSourceState(batches);
    }
}
