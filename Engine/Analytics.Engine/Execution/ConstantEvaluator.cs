using System.Diagnostics.CodeAnalysis;
using Analytics.Engine.Expressions;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;

namespace Analytics.Engine.Execution;

/// <summary>Folds a constant expression by evaluating it over a one-row batch; any error means "do not fold".</summary>
public static class ConstantEvaluator
{
    public static bool TryEvaluate(BoundExpression expression, [NotNullWhen(true)] out BoundConstant? value)
    {
        ArgumentNullException.ThrowIfNull(expression);
        value = null;
        if (!expression.IsFoldable)
        {
            return false;
        }
        Batch row = new(BatchSchema.Empty);
        try
        {
            row.SetCount(1);
            using ExpressionEvaluator evaluator = new(expression, EvaluationContext.ForNow());
            object? result = expression.Type.Id == TypeId.Null ? null : RowValues.Get(evaluator.Evaluate(row), 0);
            value = new BoundConstant(result, expression.Type);
            return true;
        }
        catch (QueryException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
        catch (InvalidCastException)
        {
            return false;
        }
    }
}
