using System.Diagnostics.CodeAnalysis;
using Analytics.Engine.Expressions;

namespace Analytics.Engine.Optimization;

/// <summary>The one call site of the execution layer's constant evaluator (used by folding and by the binder).</summary>
internal static class ConstantEvaluation
{
    public static bool TryEvaluate(BoundExpression expression, [NotNullWhen(true)] out BoundConstant? value)
    {
        value = null;
        return false;
    }
}
