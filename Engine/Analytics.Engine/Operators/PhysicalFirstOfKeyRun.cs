using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Operators;

/// <summary>
/// The second half of DISTINCT ON: over rows sorted by the keys (then the BY order), keeps the first row of each run
/// of equal keys by narrowing the selection. Runs continue across batches, so it runs on one thread after the sort.
/// </summary>
public sealed class PhysicalFirstOfKeyRun(ImmutableArray<BoundExpression> keys, BatchSchema schema) : PhysicalStreamOperator
{
    public ImmutableArray<BoundExpression> Keys { get; } = keys;
    public override BatchSchema Schema { get; } = schema;

    public override string Describe() => $"FirstOfKeyRun {string.Join(", ", Keys.Select(BoundExpressionPrinter.Print))}";

    public override OperatorState CreateState(object? globalState, QueryContext context, PipelineControl control) => new State(this, context);

    private sealed class State : OperatorState
    {
        private readonly ExpressionEvaluator[] _evaluators;
        private readonly ColumnVector[] _keyColumns;
        private readonly KeyRunTracker _runs;

        public State(PhysicalFirstOfKeyRun operation, QueryContext context)
        {
            _evaluators = new ExpressionEvaluator[operation.Keys.Length];
            for (int i = 0; i < _evaluators.Length; i++)
            {
                _evaluators[i] = new ExpressionEvaluator(operation.Keys[i], context.Evaluation);
            }
            _keyColumns = new ColumnVector[_evaluators.Length];
            _runs = new KeyRunTracker(_evaluators.Length);
        }

        public override Batch? Execute(Batch input)
        {
            for (int i = 0; i < _evaluators.Length; i++)
            {
                _keyColumns[i] = _evaluators[i].Evaluate(input);
            }
            int count = input.Count;
            Span<int> kept = input.SelectionStorage.Indices;
            int keptCount = 0;
            for (int i = 0; i < count; i++)
            {
                int row = input.RowAt(i);
                if (_runs.IsNewRun(_keyColumns, row))
                {
                    _runs.Start(_keyColumns, row);
                    kept[keptCount++] = row; // keptCount <= i: writing never overtakes the selection being read
                }
            }
            if (keptCount == 0)
            {
                return null;
            }
            input.ApplySelection(keptCount);
            return input;
        }

        public override void Dispose()
        {
            _runs.Dispose();
            foreach (ExpressionEvaluator evaluator in _evaluators)
            {
                evaluator.Dispose();
            }
        }
    }
}
