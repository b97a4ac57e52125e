using System.Collections.Immutable;

namespace Analytics.Engine.Expressions;

/// <summary>Tree utilities over bound expressions for the binder and the optimizer (planning time only).</summary>
public static class BoundExpressionRewriter
{
    /// <summary>
    /// Rebuilds <paramref name="expression"/> bottom-up: children first, then <paramref name="rewrite"/> on the node with
    /// its new children (return the node itself to keep it).
    /// </summary>
    public static BoundExpression Rewrite(BoundExpression expression, Func<BoundExpression, BoundExpression> rewrite)
    {
        BoundExpression rebuilt = expression switch
        {
            BoundCastExpression cast => cast with { Input = Rewrite(cast.Input, rewrite) },
            BoundBinaryExpression binary => binary with { Left = Rewrite(binary.Left, rewrite), Right = Rewrite(binary.Right, rewrite) },
            BoundUnaryExpression unary => unary with { Operand = Rewrite(unary.Operand, rewrite) },
            BoundConjunctionExpression conjunction => conjunction with { Operands = RewriteAll(conjunction.Operands, rewrite) },
            BoundIsNullExpression isNull => isNull with { Operand = Rewrite(isNull.Operand, rewrite) },
            BoundInExpression inExpression => inExpression with
            {
                Input = Rewrite(inExpression.Input, rewrite), List = RewriteAll(inExpression.List, rewrite),
            },
            BoundCaseExpression caseExpression => caseExpression with
            {
                Branches = [.. caseExpression.Branches.Select(b => (Rewrite(b.When, rewrite), Rewrite(b.Then, rewrite)))],
                Else = Rewrite(caseExpression.Else, rewrite),
            },
            BoundTryExpression tryExpression => tryExpression with { Input = Rewrite(tryExpression.Input, rewrite) },
            BoundCatchExpression catchExpression => catchExpression with { Input = Rewrite(catchExpression.Input, rewrite) },
            BoundVariantPathExpression path => path with { Input = Rewrite(path.Input, rewrite) },
            BoundFunctionExpression function => function with { Arguments = RewriteAll(function.Arguments, rewrite) },
            BoundAggregateExpression aggregate => aggregate with { Arguments = RewriteAll(aggregate.Arguments, rewrite) },
            BoundWindowExpression window => window with { Arguments = RewriteAll(window.Arguments, rewrite) },
            _ => expression,
        };
        return rewrite(rebuilt);
    }

    public static ImmutableArray<BoundExpression> RewriteAll(ImmutableArray<BoundExpression> expressions, Func<BoundExpression, BoundExpression> rewrite) =>
        [.. expressions.Select(e => Rewrite(e, rewrite))];

    /// <summary>Replaces every column reference <c>i</c> with a reference to <c>map[i]</c> (same name and type).</summary>
    public static BoundExpression RemapColumns(BoundExpression expression, IReadOnlyList<int> map) =>
        Rewrite(expression, e => e is BoundColumnReference column ? column with { Index = map[column.Index] } : e);

    /// <summary>Adds the input column ordinals <paramref name="expression"/> reads to <paramref name="columns"/>.</summary>
    public static void CollectColumns(BoundExpression expression, ISet<int> columns)
    {
        if (expression is BoundColumnReference column)
        {
            columns.Add(column.Index);
            return;
        }
        foreach (BoundExpression child in expression.Children)
        {
            CollectColumns(child, columns);
        }
    }

    /// <summary>Whether any node satisfies <paramref name="predicate"/>.</summary>
    public static bool Any(BoundExpression expression, Func<BoundExpression, bool> predicate)
    {
        if (predicate(expression))
        {
            return true;
        }
        foreach (BoundExpression child in expression.Children)
        {
            if (Any(child, predicate))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The conjuncts of an AND tree (a non-AND expression is one conjunct).</summary>
    public static ImmutableArray<BoundExpression> SplitConjunction(BoundExpression predicate)
    {
        ImmutableArray<BoundExpression>.Builder conjuncts = ImmutableArray.CreateBuilder<BoundExpression>();
        AddConjuncts(predicate, conjuncts);
        return conjuncts.ToImmutable();
    }

    private static void AddConjuncts(BoundExpression predicate, ImmutableArray<BoundExpression>.Builder conjuncts)
    {
        if (predicate is BoundConjunctionExpression { IsAnd: true } and)
        {
            foreach (BoundExpression operand in and.Operands)
            {
                AddConjuncts(operand, conjuncts);
            }
        }
        else
        {
            conjuncts.Add(predicate);
        }
    }

    /// <summary>AND of the conjuncts (one conjunct is returned as is).</summary>
    public static BoundExpression CombineConjuncts(IReadOnlyList<BoundExpression> conjuncts) =>
        conjuncts.Count == 1 ? conjuncts[0] : new BoundConjunctionExpression(true, [.. conjuncts]);
}
