using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Operators;

/// <summary>
/// Computes the output columns. The output batch's column slots point at the input's vectors (column references) or
/// the evaluators' result vectors (computed columns): nothing is copied, and the input's selection carries over.
/// </summary>
public sealed class PhysicalProjection(ImmutableArray<BoundExpression> expressions, BatchSchema schema) : PhysicalStreamOperator
{
    public ImmutableArray<BoundExpression> Expressions { get; } = expressions;
    public override BatchSchema Schema { get; } = schema;

    public override string Describe() => $"Projection {string.Join(", ", Expressions.Select(BoundExpressionPrinter.Print))}";

    public override OperatorState CreateState(object? globalState, QueryContext context, PipelineControl control) => new State(this, context);

    private sealed class State : OperatorState
    {
        private readonly ExpressionEvaluator[] _evaluators;
        private readonly Batch _output;

        public State(PhysicalProjection projection, QueryContext context)
        {
            _evaluators = new ExpressionEvaluator[projection.Expressions.Length];
            for (int i = 0; i < _evaluators.Length; i++)
            {
                _evaluators[i] = new ExpressionEvaluator(projection.Expressions[i], context.Evaluation);
            }
            _output = new Batch(projection.Schema);
            // The slots are re-pointed per batch; the batch's own vectors are never used.
            _output.Release();
        }

        public override Batch? Execute(Batch input)
        {
            for (int i = 0; i < _evaluators.Length; i++)
            {
                _output.Columns[i] = _evaluators[i].Evaluate(input);
            }
            _output.PhysicalCount = input.PhysicalCount;
            if (input.Selection is null)
            {
                _output.ClearSelection();
                _output.Count = input.Count;
            }
            else
            {
                input.Selection.AsSpan(input.Count).CopyTo(_output.SelectionStorage.Indices);
                _output.ApplySelection(input.Count);
            }
            return _output;
        }

        public override void Dispose()
        {
            foreach (ExpressionEvaluator evaluator in _evaluators)
            {
                evaluator.Dispose();
            }
        }
    }
}
