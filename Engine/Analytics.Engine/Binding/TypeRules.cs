using Analytics.Engine.Expressions;
using Analytics.Errors;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

/// <summary>
/// Implicit coercions (scopeql.md §2.3, Q3): NULL coerces to anything; int or uint with float gives float; int with
/// uint gives int (a uint that does not fit raises a conversion error at run time). Nothing else is implicit.
/// </summary>
internal static class TypeRules
{
    /// <summary>The common type of two operand types, or null if they do not mix.</summary>
    public static LogicalType? Unify(LogicalType left, LogicalType right)
    {
        if (left == right)
        {
            return left;
        }
        if (left.Id == TypeId.Null)
        {
            return right;
        }
        if (right.Id == TypeId.Null)
        {
            return left;
        }
        if (left.IsNumeric && right.IsNumeric)
        {
            return left.Id == TypeId.Float || right.Id == TypeId.Float ? LogicalType.Float : LogicalType.Int;
        }
        if (left.IsVariant || right.IsVariant)
        {
            // A variant meets a scalar (or another variant kind) as any: v['status'] = 500 compares in the Q20 order.
            return LogicalType.Any;
        }
        return null;
    }

    /// <summary>
    /// The common type of two operands. Unlike <see cref="Unify"/>, an int/uint mix where one side is an integer
    /// constant that fits the other side's type takes the other side's type (<c>u &gt; 5</c> stays uint, so large
    /// uint values do not fail a conversion to int).
    /// </summary>
    public static LogicalType? UnifyOperands(BoundExpression left, BoundExpression right)
    {
        if ((left.Type.Id, right.Type.Id) is (TypeId.Int, TypeId.UInt) or (TypeId.UInt, TypeId.Int))
        {
            if (FitsIn(right, left.Type))
            {
                return left.Type;
            }
            if (FitsIn(left, right.Type))
            {
                return right.Type;
            }
        }
        return Unify(left.Type, right.Type);
    }

    /// <summary><see cref="UnifyOperands"/> for a running type (IN lists): a fitting integer constant keeps the type.</summary>
    public static LogicalType? UnifyWith(LogicalType type, BoundExpression expression) =>
        (type.Id, expression.Type.Id) is (TypeId.Int, TypeId.UInt) or (TypeId.UInt, TypeId.Int) && FitsIn(expression, type)
            ? type
            : Unify(type, expression.Type);

    private static bool FitsIn(BoundExpression expression, LogicalType type) => expression switch
    {
        BoundConstant { Value: long value } => type.Id != TypeId.UInt || value >= 0,
        BoundConstant { Value: ulong value } => type.Id != TypeId.Int || value <= long.MaxValue,
        _ => false,
    };

    /// <summary>Converts to <paramref name="target"/> (a typed NULL constant for an untyped NULL).</summary>
    public static BoundExpression Coerce(BoundExpression expression, LogicalType target)
    {
        if (expression.Type == target)
        {
            return expression;
        }
        switch (expression)
        {
            case BoundConstant { Value: null }:
                return new BoundConstant(null, target);
            case BoundConstant { Value: long value } when target.Id == TypeId.UInt && value >= 0:
                return new BoundConstant((ulong)value, target);
            case BoundConstant { Value: ulong value } when target.Id == TypeId.Int && value <= long.MaxValue:
                return new BoundConstant((long)value, target);
        }
        return new BoundCastExpression(expression, target, ErrorsAsNull: expression.Type.IsVariant);
    }

    public static BoundExpression Binary(Expressions.BinaryOperator op, BoundExpression left, BoundExpression right)
    {
        switch (op)
        {
            case Expressions.BinaryOperator.Concat:
                return Concat(left, right);
            case >= Expressions.BinaryOperator.Equal:
                return Comparison(op, left, right);
            default:
                return Arithmetic(op, left, right);
        }
    }

    private static BoundExpression Concat(BoundExpression left, BoundExpression right)
    {
        LogicalType? common = Unify(left.Type, right.Type);
        if (common is { Id: TypeId.Null })
        {
            return new BoundConstant(null, LogicalType.String);
        }
        if (common is not { Id: TypeId.String or TypeId.Binary } type)
        {
            throw new QueryException(ErrorKind.Binder, $"cannot apply operator || to {left.Type} and {right.Type}");
        }
        return new BoundBinaryExpression(Expressions.BinaryOperator.Concat, Coerce(left, type), Coerce(right, type), type);
    }

    private static BoundExpression Comparison(Expressions.BinaryOperator op, BoundExpression left, BoundExpression right)
    {
        LogicalType? common = UnifyOperands(left, right);
        if (common is not LogicalType type)
        {
            throw new QueryException(ErrorKind.Binder, $"cannot compare {left.Type} and {right.Type}");
        }
        if (type.Id == TypeId.Null && op < Expressions.BinaryOperator.IsNotDistinctFrom)
        {
            return new BoundConstant(null, LogicalType.Boolean);
        }
        return new BoundBinaryExpression(op, Coerce(left, type), Coerce(right, type), LogicalType.Boolean);
    }

    private static BoundExpression Arithmetic(Expressions.BinaryOperator op, BoundExpression left, BoundExpression right)
    {
        TypeId l = left.Type.Id;
        TypeId r = right.Type.Id;
        bool additive = op is Expressions.BinaryOperator.Add or Expressions.BinaryOperator.Subtract;
        // Temporal arithmetic (§3.4): ts ± interval, interval + ts, ts − ts, interval ± interval.
        if (additive)
        {
            LogicalType? temporal = (l, r) switch
            {
                (TypeId.Timestamp, TypeId.Interval) => LogicalType.Timestamp,
                (TypeId.Interval, TypeId.Timestamp) when op == Expressions.BinaryOperator.Add => LogicalType.Timestamp,
                (TypeId.Timestamp, TypeId.Timestamp) when op == Expressions.BinaryOperator.Subtract => LogicalType.Interval,
                (TypeId.Interval, TypeId.Interval) => LogicalType.Interval,
                _ => null,
            };
            if (temporal is LogicalType result)
            {
                return new BoundBinaryExpression(op, left, right, result);
            }
        }
        if (l == TypeId.Null || r == TypeId.Null)
        {
            LogicalType other = l == TypeId.Null ? right.Type : left.Type;
            if (other.Id == TypeId.Null || other.IsNumeric || other.Id is TypeId.Timestamp or TypeId.Interval)
            {
                return new BoundConstant(null, other.Id == TypeId.Null ? LogicalType.Null : ArithmeticResultWithNull(op, other));
            }
        }
        if (left.Type.IsNumeric && right.Type.IsNumeric)
        {
            LogicalType type = UnifyOperands(left, right)!.Value;
            return new BoundBinaryExpression(op, Coerce(left, type), Coerce(right, type), type);
        }
        throw new QueryException(ErrorKind.Binder,
            $"cannot apply operator {BoundExpressionPrinter.OperatorText(op)} to {left.Type} and {right.Type}");
    }

    /// <summary>The type of <c>x op NULL</c>: the operation's result type had the NULL been typed like its partner.</summary>
    private static LogicalType ArithmeticResultWithNull(Expressions.BinaryOperator op, LogicalType other) =>
        other.Id == TypeId.Timestamp && op == Expressions.BinaryOperator.Subtract ? LogicalType.Interval : other;
}
