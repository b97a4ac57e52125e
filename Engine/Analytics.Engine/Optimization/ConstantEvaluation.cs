using System.Diagnostics.CodeAnalysis;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Optimization;

/// <summary>
/// Evaluates a foldable expression once, over a single empty row, with the execution layer's evaluator (so folding
/// and run time agree exactly). A user error (division by zero, a bad cast) means "do not fold": the expression
/// then fails at run time, only if a row reaches it.
/// </summary>
internal static class ConstantEvaluation
{
    public static bool TryEvaluate(BoundExpression expression, [NotNullWhen(true)] out BoundConstant? value)
    {
        value = null;
        Batch row = new(BatchSchema.Empty);
        row.SetCount(1);
        try
        {
            using ExpressionEvaluator evaluator = new(expression, EvaluationContext.ForNow());
            ColumnVector result = evaluator.Evaluate(row);
            value = new BoundConstant(RowValues.Get(result, 0), expression.Type);
            return true;
        }
        catch (QueryException e) when (e.Kind != ErrorKind.Internal)
        {
            return false;
        }
    }
}
