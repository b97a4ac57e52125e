using Analytics.Engine.Expressions;

namespace Analytics.Engine.Binding;

/// <summary>
/// Structural equality of bound expressions, ignoring display names (<c>t.c</c> and <c>c</c> are the same column).
/// Record equality cannot be used: immutable arrays compare by reference.
/// </summary>
internal static class BoundExpressionEquality
{
    public static bool Same(BoundExpression a, BoundExpression b)
    {
        if (a.GetType() != b.GetType() || a.Type != b.Type)
        {
            return false;
        }
        bool nodeEqual = (a, b) switch
        {
            (BoundColumnReference x, BoundColumnReference y) => x.Index == y.Index,
            (BoundConstant x, BoundConstant y) => x.Value is byte[] xb && y.Value is byte[] yb ? xb.AsSpan().SequenceEqual(yb) : Equals(x.Value, y.Value),
            (BoundCastExpression x, BoundCastExpression y) => x.ErrorsAsNull == y.ErrorsAsNull,
            // the steps are not children: var['a'] and var['b'] differ only here
            (BoundVariantPathExpression x, BoundVariantPathExpression y) => x.Steps.AsSpan().SequenceEqual(y.Steps.AsSpan()),
            (BoundBinaryExpression x, BoundBinaryExpression y) => x.Operator == y.Operator,
            (BoundUnaryExpression x, BoundUnaryExpression y) => x.Operator == y.Operator,
            (BoundConjunctionExpression x, BoundConjunctionExpression y) => x.IsAnd == y.IsAnd,
            (BoundIsNullExpression x, BoundIsNullExpression y) => x.Negated == y.Negated,
            (BoundInExpression x, BoundInExpression y) => x.Negated == y.Negated,
            (BoundFunctionExpression x, BoundFunctionExpression y) => x.Function.Name == y.Function.Name && x.Function.ReturnType == y.Function.ReturnType,
            (BoundAggregateExpression x, BoundAggregateExpression y) => x.Function.Name == y.Function.Name && x.Function.ReturnType == y.Function.ReturnType,
            (BoundWindowExpression x, BoundWindowExpression y) => x.Function.Kind == y.Function.Kind,
            _ => true,
        };
        if (!nodeEqual)
        {
            return false;
        }
        using IEnumerator<BoundExpression> left = a.Children.GetEnumerator();
        using IEnumerator<BoundExpression> right = b.Children.GetEnumerator();
        while (true)
        {
            bool hasLeft = left.MoveNext();
            if (hasLeft != right.MoveNext())
            {
                return false;
            }
            if (!hasLeft)
            {
                return true;
            }
            if (!Same(left.Current, right.Current))
            {
                return false;
            }
        }
    }

    public static int IndexOf<T>(IReadOnlyList<T> items, BoundExpression expression) where T : BoundExpression
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (Same(items[i], expression))
            {
                return i;
            }
        }
        return -1;
    }
}
