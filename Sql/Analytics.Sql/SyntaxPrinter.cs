using System.Globalization;
using System.Text;
using Analytics.Sql.Parsing;
using Analytics.Sql.Syntax;

namespace Analytics.Sql;

/// <summary>
/// The canonical text of an expression, used for default output column names (scopeql.md Q12): lower-case function
/// names, upper-case operator keywords, <c>'…'</c> strings, <c>name =&gt; v</c> arguments, every cast as <c>::type</c>,
/// single spaces around binary operators and only the parentheses precedence needs. Parsing the printed text gives
/// the same tree (spans aside).
/// </summary>
public static class SyntaxPrinter
{
    // Binding strength, higher binds tighter (scopeql.md §4.2).
    private const int OrLevel = 1;
    private const int XorLevel = 2;
    private const int AndLevel = 3;
    private const int NotLevel = 4;
    private const int ComparisonLevel = 5;
    private const int ConcatLevel = 6;
    private const int AdditiveLevel = 7;
    private const int MultiplicativeLevel = 8;
    private const int UnaryLevel = 9;
    private const int PostfixLevel = 10;

    public static string Print(ExpressionSyntax expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var builder = new StringBuilder();
        Write(builder, expression);
        return builder.ToString();
    }

    /// <summary>An identifier as it must be written to read back the same name: bare when possible, else backticks.</summary>
    public static string PrintIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IsBareIdentifier(name))
        {
            return name;
        }

        return "`" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "``", StringComparison.Ordinal) + "`";
    }

    public static string PrintStringLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2);
        WriteString(builder, value);
        return builder.ToString();
    }

    private static bool IsBareIdentifier(string name)
    {
        if (name.Length == 0 || !Lexer.IsIdentifierStart(name[0]) || Keywords.IsReserved(name))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!Lexer.IsIdentifierPart(c) || char.IsAsciiLetterUpper(c))
            {
                return false;
            }
        }

        return true;
    }

    private static int Level(ExpressionSyntax expression) => expression switch
    {
        BinaryExpressionSyntax binary => Level(binary.Operator),
        UnaryExpressionSyntax { Operator: UnaryOperator.Not } => NotLevel,
        UnaryExpressionSyntax => UnaryLevel,
        IsExpressionSyntax or InExpressionSyntax or BetweenExpressionSyntax => ComparisonLevel,
        _ => PostfixLevel,
    };

    private static int Level(BinaryOperator op) => op switch
    {
        BinaryOperator.Or => OrLevel,
        BinaryOperator.Xor => XorLevel,
        BinaryOperator.And => AndLevel,
        BinaryOperator.Concat => ConcatLevel,
        BinaryOperator.Add or BinaryOperator.Subtract => AdditiveLevel,
        BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Modulo => MultiplicativeLevel,
        _ => ComparisonLevel,
    };

    private static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Modulo => "%",
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Concat => "||",
        BinaryOperator.Equal => "=",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.And => "AND",
        BinaryOperator.Xor => "XOR",
        BinaryOperator.Or => "OR",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    /// <summary>Writes <paramref name="expression"/>, parenthesised unless it binds at least as tightly as <paramref name="minimumLevel"/>.</summary>
    private static void Write(StringBuilder builder, ExpressionSyntax expression, int minimumLevel)
    {
        if (Level(expression) < minimumLevel)
        {
            builder.Append('(');
            Write(builder, expression);
            builder.Append(')');
        }
        else
        {
            Write(builder, expression);
        }
    }

    private static void Write(StringBuilder builder, ExpressionSyntax expression)
    {
        switch (expression)
        {
            case IntegerLiteralSyntax integer:
                builder.Append(integer.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case FloatLiteralSyntax number:
                var text = number.Value.ToString("R", CultureInfo.InvariantCulture);
                builder.Append(text);
                if (text.AsSpan().IndexOfAny(".eE") < 0)
                {
                    builder.Append(".0");
                }

                break;
            case StringLiteralSyntax literal:
                WriteString(builder, literal.Value);
                break;
            case BinaryLiteralSyntax binary:
                builder.Append("x'").Append(Convert.ToHexString(binary.Value.AsSpan())).Append('\'');
                break;
            case BooleanLiteralSyntax boolean:
                builder.Append(boolean.Value ? "TRUE" : "FALSE");
                break;
            case NullLiteralSyntax:
                builder.Append("NULL");
                break;
            case ColumnReferenceSyntax column:
                for (var i = 0; i < column.Parts.Length; i++)
                {
                    if (i > 0)
                    {
                        builder.Append('.');
                    }

                    builder.Append(PrintIdentifier(column.Parts[i].Name));
                }

                break;
            case PositionalReferenceSyntax positional:
                builder.Append('$').Append(positional.Index.ToString(CultureInfo.InvariantCulture));
                break;
            case ParameterReferenceSyntax parameter:
                builder.Append(parameter.Name is null ? "?" : "@" + parameter.Name);
                break;
            case UnaryExpressionSyntax unary:
                WriteUnary(builder, unary);
                break;
            case BinaryExpressionSyntax binary:
                var level = Level(binary.Operator);
                var comparison = level == ComparisonLevel;

                // Left-associative: an equal-level left operand needs no parentheses, a right one does;
                // comparisons do not associate at all.
                Write(builder, binary.Left, comparison ? level + 1 : level);
                builder.Append(' ').Append(Symbol(binary.Operator)).Append(' ');
                Write(builder, binary.Right, level + 1);
                break;
            case IsExpressionSyntax isExpression:
                Write(builder, isExpression.Left, ConcatLevel);
                builder.Append(isExpression.Negated ? " IS NOT " : " IS ");
                Write(builder, isExpression.Right, ConcatLevel);
                break;
            case InExpressionSyntax inExpression:
                Write(builder, inExpression.Operand, ConcatLevel);
                builder.Append(inExpression.Negated ? " NOT IN (" : " IN (");
                WriteList(builder, inExpression.Values);
                builder.Append(')');
                break;
            case BetweenExpressionSyntax between:
                Write(builder, between.Operand, ConcatLevel);
                builder.Append(between.Negated ? " NOT BETWEEN " : " BETWEEN ");
                Write(builder, between.Lower, ConcatLevel);
                builder.Append(" AND ");
                Write(builder, between.Upper, ConcatLevel);
                break;
            case CastExpressionSyntax cast:
                Write(builder, cast.Operand, PostfixLevel);
                builder.Append("::").Append(cast.Type.Name);
                break;
            case SubscriptExpressionSyntax subscript:
                Write(builder, subscript.Target, PostfixLevel);
                builder.Append('[');
                Write(builder, subscript.Index);
                builder.Append(']');
                break;
            case FunctionCallSyntax call:
                WriteCall(builder, call);
                break;
            case CaseExpressionSyntax caseExpression:
                builder.Append("CASE");
                if (caseExpression.Operand is { } operand)
                {
                    builder.Append(' ');
                    Write(builder, operand);
                }

                foreach (var when in caseExpression.Whens)
                {
                    builder.Append(" WHEN ");
                    Write(builder, when.When);
                    builder.Append(" THEN ");
                    Write(builder, when.Then);
                }

                if (caseExpression.Else is { } otherwise)
                {
                    builder.Append(" ELSE ");
                    Write(builder, otherwise);
                }

                builder.Append(" END");
                break;
            case ArrayExpressionSyntax array:
                builder.Append('[');
                WriteList(builder, array.Elements);
                builder.Append(']');
                break;
            case ObjectExpressionSyntax obj:
                builder.Append('{');
                for (var i = 0; i < obj.Fields.Length; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    WriteString(builder, obj.Fields[i].Key);
                    builder.Append(": ");
                    Write(builder, obj.Fields[i].Value);
                }

                builder.Append('}');
                break;
            default:
                throw new ArgumentException($"Unknown expression node {expression.GetType().Name}; this is a bug.", nameof(expression));
        }
    }

    private static void WriteUnary(StringBuilder builder, UnaryExpressionSyntax unary)
    {
        if (unary.Operator == UnaryOperator.Not)
        {
            builder.Append("NOT ");
            Write(builder, unary.Operand, NotLevel);
            return;
        }

        builder.Append(unary.Operator == UnaryOperator.Negate ? '-' : '+');

        // "--" would start a comment and "+-" reads oddly, so a nested sign is parenthesised.
        if (unary.Operand is UnaryExpressionSyntax { Operator: not UnaryOperator.Not })
        {
            builder.Append('(');
            Write(builder, unary.Operand);
            builder.Append(')');
        }
        else
        {
            Write(builder, unary.Operand, UnaryLevel);
        }
    }

    private static void WriteCall(StringBuilder builder, FunctionCallSyntax call)
    {
        builder.Append(PrintIdentifier(call.Name.Name.ToLowerInvariant())).Append('(');
        if (call.HasStarArgument)
        {
            builder.Append('*');
        }

        for (var i = 0; i < call.Arguments.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            var argument = call.Arguments[i];
            if (argument.Name is { } name)
            {
                builder.Append(PrintIdentifier(name.Name)).Append(" => ");
            }

            Write(builder, argument.Value);
        }

        builder.Append(')');
    }

    private static void WriteList(StringBuilder builder, System.Collections.Immutable.ImmutableArray<ExpressionSyntax> items)
    {
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            Write(builder, items[i]);
        }
    }

    private static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\'':
                    builder.Append("''");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (c < ' ')
                    {
                        builder.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('\'');
    }
}
