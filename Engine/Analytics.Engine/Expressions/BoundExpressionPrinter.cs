using System.Globalization;
using System.Text;
using Analytics.Vector.Types;

namespace Analytics.Engine.Expressions;

/// <summary>Canonical text of bound expressions for EXPLAIN and error messages (not for evaluation).</summary>
public static class BoundExpressionPrinter
{
    public static string Print(BoundExpression expression)
    {
        StringBuilder builder = new();
        Append(builder, expression);
        return builder.ToString();
    }

    public static string PrintConstant(object? value, LogicalType type) => value switch
    {
        null => "NULL",
        bool b => b ? "true" : "false",
        string s => $"'{s.Replace("'", "''", StringComparison.Ordinal)}'",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        byte[] bytes => type.IsVariant ? $"<{type.Name}>" : $"x'{Convert.ToHexString(bytes)}'",
        long l when type.Id is TypeId.Timestamp or TypeId.Interval => $"{type.Name} {l.ToString(CultureInfo.InvariantCulture)}ns",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void Append(StringBuilder builder, BoundExpression expression)
    {
        switch (expression)
        {
            case BoundColumnReference column:
                builder.Append(column.Name);
                break;
            case BoundConstant constant:
                builder.Append(PrintConstant(constant.Value, constant.Type));
                break;
            case BoundCastExpression cast:
                AppendOperand(builder, cast.Input);
                builder.Append("::").Append(cast.Type.Name);
                break;
            case BoundBinaryExpression binary:
                AppendOperand(builder, binary.Left);
                builder.Append(' ').Append(OperatorText(binary.Operator)).Append(' ');
                AppendOperand(builder, binary.Right);
                break;
            case BoundUnaryExpression unary:
                builder.Append(unary.Operator == UnaryOperator.Negate ? "-" : "NOT ");
                AppendOperand(builder, unary.Operand);
                break;
            case BoundConjunctionExpression conjunction:
                for (int i = 0; i < conjunction.Operands.Length; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(conjunction.IsAnd ? " AND " : " OR ");
                    }
                    AppendOperand(builder, conjunction.Operands[i]);
                }
                break;
            case BoundIsNullExpression isNull:
                AppendOperand(builder, isNull.Operand);
                builder.Append(isNull.Negated ? " IS NOT NULL" : " IS NULL");
                break;
            case BoundInExpression inExpression:
                AppendOperand(builder, inExpression.Input);
                builder.Append(inExpression.Negated ? " NOT IN (" : " IN (");
                AppendList(builder, inExpression.List);
                builder.Append(')');
                break;
            case BoundCaseExpression caseExpression:
                builder.Append("CASE");
                foreach ((BoundExpression when, BoundExpression then) in caseExpression.Branches)
                {
                    builder.Append(" WHEN ");
                    Append(builder, when);
                    builder.Append(" THEN ");
                    Append(builder, then);
                }
                builder.Append(" ELSE ");
                Append(builder, caseExpression.Else);
                builder.Append(" END");
                break;
            case BoundTryExpression tryExpression:
                builder.Append("try(");
                Append(builder, tryExpression.Input);
                builder.Append(')');
                break;
            case BoundCatchExpression catchExpression:
                builder.Append("catch(");
                Append(builder, catchExpression.Input);
                builder.Append(')');
                break;
            case BoundVariantPathExpression path:
                Append(builder, path.Input);
                foreach (VariantPathStep step in path.Steps)
                {
                    if (step.Key is null)
                    {
                        builder.Append('[').Append(step.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
                    }
                    else
                    {
                        builder.Append("['").Append(step.Key.Replace("'", "''", StringComparison.Ordinal)).Append("']");
                    }
                }
                break;
            case BoundFunctionExpression function:
                builder.Append(function.Function.Name).Append('(');
                AppendList(builder, function.Arguments);
                builder.Append(')');
                break;
            case BoundAggregateExpression aggregate:
                builder.Append(aggregate.Function.Name).Append('(');
                AppendList(builder, aggregate.Arguments);
                builder.Append(')');
                break;
            case BoundWindowExpression window:
                builder.Append(window.Function.Name).Append('(');
                AppendList(builder, window.Arguments);
                builder.Append(')');
                break;
            default:
                builder.Append(expression.GetType().Name);
                break;
        }
    }

    private static void AppendList(StringBuilder builder, IReadOnlyList<BoundExpression> items)
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }
            Append(builder, items[i]);
        }
    }

    /// <summary>Compound operands are parenthesised so the printed text is unambiguous.</summary>
    private static void AppendOperand(StringBuilder builder, BoundExpression operand)
    {
        bool compound = operand is BoundBinaryExpression or BoundConjunctionExpression or BoundIsNullExpression
            or BoundInExpression or BoundUnaryExpression;
        if (compound)
        {
            builder.Append('(');
        }
        Append(builder, operand);
        if (compound)
        {
            builder.Append(')');
        }
    }

    public static string OperatorText(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Modulo => "%",
        BinaryOperator.Concat => "||",
        BinaryOperator.Equal => "=",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.IsNotDistinctFrom => "IS",
        BinaryOperator.IsDistinctFrom => "IS NOT",
        _ => op.ToString(),
    };
}
