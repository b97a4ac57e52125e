using System.Globalization;
using System.Text;
using Analytics.Sql.Syntax;

namespace Analytics.Sql.Tests;

/// <summary>A fully parenthesised, span-free rendering of expressions, so tests can state tree shapes in one line.</summary>
internal static class SyntaxDump
{
    public static string Expr(string text) => Dump(ScopeQlParser.ParseExpression(text));

    public static string Dump(ExpressionSyntax expression) => expression switch
    {
        IntegerLiteralSyntax i => i.Value.ToString(CultureInfo.InvariantCulture),
        FloatLiteralSyntax f => "f" + f.Value.ToString("R", CultureInfo.InvariantCulture),
        StringLiteralSyntax s => "'" + s.Value + "'",
        BinaryLiteralSyntax b => "x'" + Convert.ToHexString(b.Value.AsSpan()) + "'",
        BooleanLiteralSyntax b => b.Value ? "true" : "false",
        NullLiteralSyntax => "null",
        ColumnReferenceSyntax c => string.Join(".", c.Parts.Select(Name)),
        PositionalReferenceSyntax p => "$" + p.Index.ToString(CultureInfo.InvariantCulture),
        ParameterReferenceSyntax p => p.Name is null ? "?" + p.Ordinal.ToString(CultureInfo.InvariantCulture) : "@" + p.Name,
        UnaryExpressionSyntax u => $"({u.Operator.ToString().ToLowerInvariant()} {Dump(u.Operand)})",
        BinaryExpressionSyntax b => $"({b.Operator.ToString().ToLowerInvariant()} {Dump(b.Left)} {Dump(b.Right)})",
        IsExpressionSyntax i => $"({(i.Negated ? "is-not" : "is")} {Dump(i.Left)} {Dump(i.Right)})",
        InExpressionSyntax i => $"({(i.Negated ? "not-in" : "in")} {Dump(i.Operand)} [{string.Join(" ", i.Values.Select(Dump))}])",
        BetweenExpressionSyntax b => $"({(b.Negated ? "not-between" : "between")} {Dump(b.Operand)} {Dump(b.Lower)} {Dump(b.Upper)})",
        CastExpressionSyntax c => $"(cast {Dump(c.Operand)} {c.Type.Name})",
        SubscriptExpressionSyntax s => $"(sub {Dump(s.Target)} {Dump(s.Index)})",
        FunctionCallSyntax f => $"(call {Name(f.Name)}{(f.HasStarArgument ? " *" : "")}{string.Concat(f.Arguments.Select(a => " " + (a.Name is null ? "" : Name(a.Name) + "=>") + Dump(a.Value)))})",
        CaseExpressionSyntax c => "(case" + (c.Operand is null ? "" : " " + Dump(c.Operand))
            + string.Concat(c.Whens.Select(w => $" (when {Dump(w.When)} {Dump(w.Then)})"))
            + (c.Else is null ? "" : $" (else {Dump(c.Else)})") + ")",
        ArrayExpressionSyntax a => "[" + string.Join(" ", a.Elements.Select(Dump)) + "]",
        ObjectExpressionSyntax o => "{" + string.Join(" ", o.Fields.Select(f => $"'{f.Key}': {Dump(f.Value)}")) + "}",
        _ => throw new ArgumentException(expression.GetType().Name),
    };

    public static string Name(IdentifierSyntax identifier) => identifier.IsQuoted ? "`" + identifier.Name + "`" : identifier.Name;

    /// <summary>Any node, by reflection over its properties except spans; used to compare whole trees.</summary>
    public static string Tree(object? node)
    {
        var builder = new StringBuilder();
        Write(builder, node);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                return;
            case ExpressionSyntax expression:
                builder.Append(Dump(expression));
                return;
            case IdentifierSyntax identifier:
                builder.Append(identifier.Name);
                return;
            case string s:
                builder.Append('"').Append(s).Append('"');
                return;
            case System.Collections.IEnumerable list:
                builder.Append('[');
                var first = true;
                foreach (var item in list)
                {
                    builder.Append(first ? "" : ", ");
                    first = false;
                    Write(builder, item);
                }

                builder.Append(']');
                return;
            case SyntaxNode node:
                builder.Append(node.GetType().Name.Replace("Syntax", "", StringComparison.Ordinal)).Append('(');
                var firstProperty = true;
                foreach (var property in node.GetType().GetProperties())
                {
                    if (property.Name == "Span" || !property.CanWrite)
                    {
                        continue;
                    }

                    builder.Append(firstProperty ? "" : ", ").Append(property.Name).Append('=');
                    firstProperty = false;
                    Write(builder, property.GetValue(node));
                }

                builder.Append(')');
                return;
            default:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
        }
    }
}
