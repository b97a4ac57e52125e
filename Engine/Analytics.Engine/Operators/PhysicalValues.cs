using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Operators;

/// <summary>Inline rows; cells are evaluated once per query (they are constants or statement-stable).</summary>
public sealed class PhysicalValues(BatchSchema schema, ImmutableArray<ImmutableArray<BoundExpression>> rows) : PhysicalSource
{
    public ImmutableArray<ImmutableArray<BoundExpression>> Rows { get; } = rows;
    public override BatchSchema Schema { get; } = schema;
    public override bool IsOrdered => true;

    public override string Describe() => $"Values {Rows.Length} rows";

    public override SourceState CreateState(QueryContext context) => new State(this, context);

    private sealed class State(PhysicalValues values, QueryContext context) : SourceState
    {
        private int _taken;

        public override long EstimatedRows => values.Rows.Length;

        public override SourceReader CreateReader() => new Reader(this);

        private sealed class Reader(State state) : SourceReader
        {
            private readonly Batch _batch = new(state.Values.Schema);
            private readonly Batch _empty = new(BatchSchema.Empty);

            public override Batch? Next(CancellationToken cancellationToken)
            {
                int start = Interlocked.Add(ref state._taken, Batch.Capacity) - Batch.Capacity;
                ImmutableArray<ImmutableArray<BoundExpression>> rows = state.Values.Rows;
                if (start >= rows.Length)
                {
                    return null;
                }
                int count = Math.Min(Batch.Capacity, rows.Length - start);
                _batch.Reset();
                _empty.SetCount(1);
                for (int column = 0; column < _batch.Columns.Length; column++)
                {
                    for (int r = 0; r < count; r++)
                    {
                        using ExpressionEvaluator evaluator = new(rows[start + r][column], state.Context.Evaluation);
                        ValueOrder.Copy(evaluator.Evaluate(_empty), 0, _batch.Columns[column], r);
                    }
                }
                _batch.SetCount(count);
                state.Context.AddProcessed(count);
                return _batch;
            }

            public override void Dispose()
            {
                _batch.Release();
                _empty.Release();
            }
        }

        public PhysicalValues Values => values;

        public QueryContext Context => context;
    }
}

/// <summary>Reads the materialized output of an earlier pipeline's sink (aggregate, sort, insert), in order.</summary>
public sealed class PhysicalBufferSource(PhysicalSink producer) : PhysicalSource
{
    public PhysicalSink Producer { get; } = producer;
    public override BatchSchema Schema => Producer.Schema;
    public override bool IsOrdered => true;

    public override string Describe() => $"Read {Producer.Describe()}";

    public override SourceState CreateState(QueryContext context) => new BatchListSourceState(context.StateOf(Producer).Output);
}

/// <summary>Hands out already materialized batches, each to one worker (the sources that read sink outputs).</summary>
internal sealed class BatchListSourceState(IReadOnlyList<Batch> batches) : SourceState
{
    private readonly IReadOnlyList<Batch> _batches = batches;
    private int _next = -1;

    public override long EstimatedRows => 0;

    public override SourceReader CreateReader() => new Reader(this);

    private sealed class Reader(BatchListSourceState state) : SourceReader
    {
        public override Batch? Next(CancellationToken cancellationToken)
        {
            int index = Interlocked.Increment(ref state._next);
            return index < state._batches.Count ? state._batches[index] : null;
        }
    }
}
