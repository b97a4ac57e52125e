using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Physical;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Operators;

/// <summary>Narrows the batch's selection to the rows where the predicate is TRUE; rows are never copied.</summary>
public sealed class PhysicalFilter(BoundExpression predicate, BatchSchema schema) : PhysicalStreamOperator
{
    public BoundExpression Predicate { get; } = predicate;
    public override BatchSchema Schema { get; } = schema;

    public override string Describe() => $"Filter {BoundExpressionPrinter.Print(Predicate)}";

    public override OperatorState CreateState(object? globalState, QueryContext context, PipelineControl control) =>
        new State(new ExpressionEvaluator(Predicate, context.Evaluation));

    private sealed class State(ExpressionEvaluator evaluator) : OperatorState
    {
        public override Batch? Execute(Batch input)
        {
            evaluator.Filter(input);
            return input.Count == 0 ? null : input;
        }

        public override void Dispose() => evaluator.Dispose();
    }
}
