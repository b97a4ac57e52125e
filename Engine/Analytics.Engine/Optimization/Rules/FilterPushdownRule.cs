using System.Collections.Immutable;
using Analytics.Engine.Binding;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Engine.Scan;
using Analytics.Engine.Storage;
using Analytics.Vector.Types;

namespace Analytics.Engine.Optimization.Rules;

/// <summary>
/// Moves filters towards the scan: merges stacked filters, passes conjuncts through projections when they read only
/// pass-through columns, through ORDER, into the inputs of joins (WHERE and ON conjuncts that read one input, where
/// outer joins allow), and into scans. In a scan, conjuncts of the form column ⟨op⟩ constant,
/// column IN (constants), column IS [NOT] NULL and the geo box tests of <see cref="GeoScanFilters"/> are offered to the source: Exact ones are left to the source alone,
/// Inexact ones are pushed and also kept as residual filters, the rest become residual filters. Filters on partition keys move below a
/// window. Filters never move below LIMIT, TopN or an aggregate (that would change results).
/// </summary>
public sealed class FilterPushdownRule : IOptimizerRule
{
    public string Name => "filter_pushdown";

    public LogicalOperator Rewrite(LogicalOperator plan, OptimizerContext context)
    {
        if (plan is LogicalFilter filter)
        {
            return Push(Rewrite(filter.Input, context), BoundExpressionRewriter.SplitConjunction(filter.Predicate), context);
        }
        if (plan is LogicalJoin join)
        {
            return PushJoinCondition(join, context);
        }
        return plan.Children.IsEmpty ? plan : plan.WithChildren([.. plan.Children.Select(c => Rewrite(c, context))]);
    }

    /// <summary>
    /// ON conjuncts that read one input filter that input before the join, where that keeps the result: either input of
    /// an INNER join, only the optional (inner) side of a LEFT or RIGHT join — the outer side keeps all its rows.
    /// </summary>
    private LogicalOperator PushJoinCondition(LogicalJoin join, OptimizerContext context)
    {
        LogicalOperator left = Rewrite(join.Left, context);
        LogicalOperator right = Rewrite(join.Right, context);
        List<BoundExpression> toLeft = [];
        List<BoundExpression> toRight = [];
        List<BoundExpression> kept = [];
        foreach (BoundExpression conjunct in BoundExpressionRewriter.SplitConjunction(join.Condition))
        {
            JoinSide side = join.SideOf(conjunct);
            if (side == JoinSide.Left && join.JoinType is JoinType.Inner or JoinType.Right)
            {
                toLeft.Add(conjunct);
            }
            else if (side == JoinSide.Right && join.JoinType is JoinType.Inner or JoinType.Left)
            {
                toRight.Add(join.ToRightInput(conjunct));
            }
            else
            {
                kept.Add(conjunct);
            }
        }
        if (toLeft.Count > 0)
        {
            left = Push(left, [.. toLeft], context);
        }
        if (toRight.Count > 0)
        {
            right = Push(right, [.. toRight], context);
        }
        BoundExpression condition = kept.Count == 0 ? new BoundConstant(true, LogicalType.Boolean) : BoundExpressionRewriter.CombineConjuncts(kept);
        return new LogicalJoin(join.JoinType, left, right, condition);
    }

    /// <summary>
    /// WHERE conjuncts above a join that read one input move into that input when the join cannot add NULL rows for
    /// it: either input of an INNER join, the preserved side of a LEFT or RIGHT join, neither side of a FULL join.
    /// </summary>
    private LogicalOperator PushThroughJoin(LogicalJoin join, ImmutableArray<BoundExpression> conjuncts, OptimizerContext context)
    {
        List<BoundExpression> toLeft = [];
        List<BoundExpression> toRight = [];
        List<BoundExpression> above = [];
        foreach (BoundExpression conjunct in conjuncts)
        {
            JoinSide side = join.SideOf(conjunct);
            if (side == JoinSide.Left && join.JoinType is JoinType.Inner or JoinType.Left)
            {
                toLeft.Add(conjunct);
            }
            else if (side == JoinSide.Right && join.JoinType is JoinType.Inner or JoinType.Right)
            {
                toRight.Add(join.ToRightInput(conjunct));
            }
            else
            {
                above.Add(conjunct);
            }
        }
        LogicalOperator left = toLeft.Count == 0 ? join.Left : Push(join.Left, [.. toLeft], context);
        LogicalOperator right = toRight.Count == 0 ? join.Right : Push(join.Right, [.. toRight], context);
        LogicalJoin result = new(join.JoinType, left, right, join.Condition);
        return above.Count == 0 ? result : new LogicalFilter(result, BoundExpressionRewriter.CombineConjuncts(above));
    }

    /// <summary>Places <paramref name="conjuncts"/> (over <paramref name="input"/>'s output) as deep as allowed.</summary>
    private LogicalOperator Push(LogicalOperator input, ImmutableArray<BoundExpression> conjuncts, OptimizerContext context)
    {
        switch (input)
        {
            case LogicalFilter below:
                return Push(below.Input, [.. BoundExpressionRewriter.SplitConjunction(below.Predicate), .. conjuncts], context);
            case LogicalOrder order:
                return new LogicalOrder(Push(order.Input, conjuncts, context), order.Items);
            case LogicalProjection projection:
                return PushThroughProjection(projection, conjuncts, context);
            case LogicalWindow window:
                return PushThroughWindow(window, conjuncts, context);
            case LogicalScan { Limit: null } scan:
                return PushIntoScan(scan, conjuncts);
            case LogicalJoin join:
                return PushThroughJoin(join, conjuncts, context);
            default:
                return new LogicalFilter(input, BoundExpressionRewriter.CombineConjuncts(conjuncts));
        }
    }

    private LogicalOperator PushThroughProjection(LogicalProjection projection, ImmutableArray<BoundExpression> conjuncts, OptimizerContext context)
    {
        int[] passThrough = new int[projection.Expressions.Length];
        for (int i = 0; i < passThrough.Length; i++)
        {
            passThrough[i] = projection.Expressions[i] is BoundColumnReference column ? column.Index : -1;
        }
        List<BoundExpression> below = [];
        List<BoundExpression> above = [];
        foreach (BoundExpression conjunct in conjuncts)
        {
            HashSet<int> used = [];
            BoundExpressionRewriter.CollectColumns(conjunct, used);
            if (used.All(c => passThrough[c] >= 0))
            {
                below.Add(BoundExpressionRewriter.RemapColumns(conjunct, passThrough));
            }
            else
            {
                above.Add(conjunct);
            }
        }
        LogicalOperator input = below.Count == 0 ? projection.Input : Push(projection.Input, [.. below], context);
        LogicalOperator result = new LogicalProjection(input, projection.Expressions, projection.Schema);
        return above.Count == 0 ? result : new LogicalFilter(result, BoundExpressionRewriter.CombineConjuncts(above));
    }

    /// <summary>
    /// A conjunct that reads only partition key columns keeps or drops whole partitions, so it can run before the
    /// window without changing any window value; anything else must see the window's output.
    /// </summary>
    private LogicalOperator PushThroughWindow(LogicalWindow window, ImmutableArray<BoundExpression> conjuncts, OptimizerContext context)
    {
        HashSet<int> keyColumns = [.. window.PartitionBy.OfType<BoundColumnReference>().Select(c => c.Index)];
        List<BoundExpression> below = [];
        List<BoundExpression> above = [];
        foreach (BoundExpression conjunct in conjuncts)
        {
            HashSet<int> used = [];
            BoundExpressionRewriter.CollectColumns(conjunct, used);
            (used.Count > 0 && used.IsSubsetOf(keyColumns) ? below : above).Add(conjunct);
        }
        LogicalOperator input = below.Count == 0 ? window.Input : Push(window.Input, [.. below], context);
        LogicalOperator result = window.WithChildren([input]);
        return above.Count == 0 ? result : new LogicalFilter(result, BoundExpressionRewriter.CombineConjuncts(above));
    }

    private static LogicalScan PushIntoScan(LogicalScan scan, ImmutableArray<BoundExpression> conjuncts)
    {
        ImmutableArray<ScanFilter>.Builder pushed = scan.PushedFilters.ToBuilder();
        ImmutableArray<BoundExpression>.Builder residual = scan.ResidualFilters.ToBuilder();
        ImmutableArray<BoundIndex> indexes = scan.Source is TableStorage storage ? storage.Indexes : [];
        foreach (BoundExpression conjunct in conjuncts)
        {
            ScanFilter? filter = ToScanFilter(conjunct, scan.Columns);
            bool exactBox = true;
            filter ??= GeoScanFilters.ToBoundingBox(conjunct, scan.Columns, out exactBox);
            // st_dwithin's box is wider than its circle: the conjunct stays even when the source is exact on the box.
            bool keepResidual = !exactBox;
            FilterPushdown support = filter is null ? FilterPushdown.Unsupported : scan.Source.CanPushDown(filter);
            if (support != FilterPushdown.Unsupported)
            {
                pushed.Add(filter!);
            }
            // A conjunct on an indexed expression is also offered as an index filter; indexes only prune, so the
            // conjunct stays a residual filter.
            ScanFilter? indexFilter = indexes.IsEmpty ? null : ToIndexFilter(BoundExpressionRewriter.RemapColumns(conjunct, scan.Columns), indexes);
            bool indexed = indexFilter is not null && scan.Source.CanPushDown(indexFilter) != FilterPushdown.Unsupported;
            if (indexed)
            {
                pushed.Add(indexFilter!);
            }
            if (support != FilterPushdown.Exact || keepResidual || indexed)
            {
                residual.Add(conjunct);
            }
        }
        return new LogicalScan(scan.TableName, scan.Source, scan.Columns, pushed.ToImmutable(), residual.ToImmutable(), scan.Limit);
    }

    /// <summary>The scan-filter form of a conjunct over the scan's output columns, or null if it has none.</summary>
    internal static ScanFilter? ToScanFilter(BoundExpression conjunct, ImmutableArray<int> scanColumns)
    {
        switch (conjunct)
        {
            case BoundBinaryExpression { IsComparison: true } binary when ToCompareOp(binary.Operator) is CompareOp op:
                if (binary.Left is BoundColumnReference left && IsFilterValue(binary.Right, left.Type))
                {
                    return new CompareFilter(scanColumns[left.Index], op, ((BoundConstant)binary.Right).Value!);
                }
                if (binary.Right is BoundColumnReference right && IsFilterValue(binary.Left, right.Type))
                {
                    return new CompareFilter(scanColumns[right.Index], Flip(op), ((BoundConstant)binary.Left).Value!);
                }
                return null;
            case BoundInExpression { Negated: false, Input: BoundColumnReference column } inExpression
                when inExpression.List.All(item => IsFilterValue(item, column.Type)):
                return new InFilter(scanColumns[column.Index], [.. inExpression.List.Select(item => ((BoundConstant)item).Value!)]);
            case BoundIsNullExpression { Operand: BoundColumnReference column } isNull:
                return new IsNullFilter(scanColumns[column.Index], isNull.Negated);
            default:
                return null;
        }
    }

    /// <summary>
    /// The index filter of a conjunct (over the source's columns) that compares an indexed expression with constants
    /// (<c>e ⟨op⟩ c</c>, <c>e IN (…)</c>, <c>e IS [NOT] NULL</c>), matches it as text (<c>contains</c>,
    /// <c>starts_with</c>, <c>ends_with</c>, <c>search</c> with the log analyzer), tests an indexed array for an element
    /// (<c>contains(array, c)</c>) or compares a key path of an indexed variant column (<c>var['a']::int = c</c>);
    /// null when it has none.
    /// </summary>
    internal static ScanFilter? ToIndexFilter(BoundExpression conjunct, ImmutableArray<BoundIndex> indexes)
    {
        switch (conjunct)
        {
            case BoundFunctionExpression { Function.Name: "contains" or "array_contains", Arguments: [{ Type.Id: TypeId.Array } array, BoundConstant { Value: not null } element] }
                when IndexOn(array, indexes) is { } expression:
                return new ExpressionFilter(expression, new ArrayContainsFilter(0, VariantValues.FromValue(element.Value, element.Type)!));
            case BoundFunctionExpression { Function.Name: "contains" or "array_contains", Arguments: [var array, BoundConstant { Value: not null } element] }
                when IndexedPath(array is BoundCastExpression { Type.Id: TypeId.Array, Input: var input } ? input : array, indexes) is var (index, path):
                // contains(var['tags'], x): some element of the array at the path equals x (as any).
                return new ExpressionFilter(index, new VariantPathFilter(0, path.Add(null), [VariantValues.FromValue(element.Value, element.Type)!], Cast: false));
            case BoundBinaryExpression { IsComparison: true } binary when ToCompareOp(binary.Operator) is CompareOp op:
                if (IsFilterValue(binary.Right, binary.Left.Type) && IndexOn(binary.Left, indexes) is { } left)
                {
                    return new ExpressionFilter(left, new CompareFilter(0, op, ((BoundConstant)binary.Right).Value!));
                }
                if (IsFilterValue(binary.Left, binary.Right.Type) && IndexOn(binary.Right, indexes) is { } right)
                {
                    return new ExpressionFilter(right, new CompareFilter(0, Flip(op), ((BoundConstant)binary.Left).Value!));
                }
                return op == CompareOp.Equal ? ToVariantPathFilter(binary.Left, [binary.Right], indexes) ?? ToVariantPathFilter(binary.Right, [binary.Left], indexes) : null;
            case BoundInExpression { Negated: false } inExpression
                when inExpression.List.All(item => IsFilterValue(item, inExpression.Input.Type)) && IndexOn(inExpression.Input, indexes) is { } expression:
                return new ExpressionFilter(expression, new InFilter(0, [.. inExpression.List.Select(item => ((BoundConstant)item).Value!)]));
            case BoundInExpression { Negated: false } inExpression:
                return ToVariantPathFilter(inExpression.Input, inExpression.List, indexes);
            case BoundIsNullExpression isNull when IndexOn(isNull.Operand, indexes) is { } expression:
                return new ExpressionFilter(expression, new IsNullFilter(0, isNull.Negated));
            case BoundFunctionExpression { Function.Name: "regexp_like", Arguments: [var text, BoundConstant { Value: string pattern }] }
                when text.Type.Id == TypeId.String && RequiredLiteral(pattern) is { } required && IndexOn(text, indexes) is { } expression:
                return new ExpressionFilter(expression, new TextFilter(0, TextMatch.Contains, required));
            case BoundFunctionExpression { Arguments: [var text, BoundConstant { Value: string literal }, ..] } function
                when text.Type.Id == TypeId.String && TextMatchOf(function) is TextMatch match && IndexOn(text, indexes) is { } expression:
                return new ExpressionFilter(expression, new TextFilter(0, match, literal));
            default:
                return null;
        }
    }

    /// <summary>
    /// <c>var['a'][0] = c</c>, <c>IS c</c> or <c>IN (c, …)</c> (constants of type <c>any</c>), or the same with a cast
    /// (<c>var['a']['b']::int = c</c>, constants of the cast's type), over a variant column or expression with a POINT
    /// index: the filter the index answers from its (path, value) and (path, kind) keys; null otherwise.
    /// </summary>
    private static ScanFilter? ToVariantPathFilter(BoundExpression side, IReadOnlyList<BoundExpression> constants, ImmutableArray<BoundIndex> indexes)
    {
        bool cast = side is BoundCastExpression { ErrorsAsNull: true, Type.Id: TypeId.String or TypeId.Int or TypeId.Float or TypeId.Boolean or TypeId.Timestamp };
        if (IndexedPath(cast ? ((BoundCastExpression)side).Input : side, indexes) is not var (index, path) || (cast && path.IsEmpty))
        {
            return null;
        }
        ImmutableArray<byte[]>.Builder values = ImmutableArray.CreateBuilder<byte[]>(constants.Count);
        foreach (BoundExpression item in constants)
        {
            if (item is not BoundConstant { Value: not null } constant)
            {
                return null;
            }
            if (cast && constant.Type == side.Type)
            {
                values.Add(VariantValues.FromValue(constant.Value, constant.Type)!);
            }
            else if (!cast && constant is { Type.Id: TypeId.Any, Value: byte[] value })
            {
                values.Add(value);
            }
            else
            {
                return null;
            }
        }
        return values.Count == 0 ? null : new ExpressionFilter(index, new VariantPathFilter(0, path, values.MoveToImmutable(), cast));
    }

    /// <summary>
    /// The POINT-indexable path <paramref name="expression"/> reads: the expression text of the index on the variant
    /// (<c>object</c> or <c>any</c>) expression it starts from, and its steps below it (null for an array subscript);
    /// null when it reads no indexed variant expression.
    /// </summary>
    private static (string Index, ImmutableArray<string?> Path)? IndexedPath(BoundExpression expression, ImmutableArray<BoundIndex> indexes)
    {
        if (expression.Type.Id is TypeId.Object or TypeId.Any && IndexOn(expression, indexes) is { } index)
        {
            return (index, []);
        }
        if (expression is not BoundVariantPathExpression { Steps.IsEmpty: false } variantPath || IndexedPath(variantPath.Input, indexes) is not var (parentIndex, parentPath))
        {
            return null;
        }
        ImmutableArray<string?>.Builder path = ImmutableArray.CreateBuilder<string?>(parentPath.Length + variantPath.Steps.Length);
        path.AddRange(parentPath);
        foreach (VariantPathStep step in variantPath.Steps)
        {
            path.Add(step.Key);
        }
        return (parentIndex, path.MoveToImmutable());
    }

    /// <summary>
    /// The longest run of literal characters every match of <paramref name="pattern"/> contains (so a PATTERN index
    /// can prune <c>regexp_like</c> as <c>contains</c>), or null. Conservative: no alternation outside a group, no
    /// inline options; groups, classes, escapes, anchors and <c>.</c> end a run, and a character made optional by
    /// <c>?</c>, <c>*</c> or <c>{</c> leaves it. An invalid pattern gives null, so the query still reports it.
    /// </summary>
    internal static string? RequiredLiteral(string pattern)
    {
        // A quantifier after a surrogate pair applies to its low half only: such patterns are left alone.
        if (pattern.Contains("(?", StringComparison.Ordinal) || pattern.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0 || !IsValidRegex(pattern))
        {
            return null;
        }
        string best = "";
        System.Text.StringBuilder run = new();
        int depth = 0;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\')
            {
                i++; // an escape (\d, \., …): skipped, it ends the run
            }
            else if (c == '[')
            {
                for (i++; i < pattern.Length && pattern[i] != ']'; i++)
                {
                    if (pattern[i] == '\\')
                    {
                        i++;
                    }
                }
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if (c == '|' && depth == 0)
            {
                return null; // either side may match: nothing is required
            }
            else if (depth == 0 && c is not ('.' or '^' or '$' or '*' or '+' or '?' or '{' or '}' or '|'))
            {
                bool optional = i + 1 < pattern.Length && pattern[i + 1] is '?' or '*' or '{';
                if (!optional)
                {
                    run.Append(c);
                    if (i + 1 < pattern.Length && pattern[i + 1] == '+')
                    {
                        best = Longer(best, run);
                        run.Clear();
                    }
                    continue;
                }
            }
            best = Longer(best, run);
            run.Clear();
        }
        best = Longer(best, run);
        return best.Length == 0 ? null : best;
    }

    private static string Longer(string best, System.Text.StringBuilder run) =>
        System.Text.Encoding.UTF8.GetByteCount(run.ToString()) > System.Text.Encoding.UTF8.GetByteCount(best) ? run.ToString() : best;

    private static bool IsValidRegex(string pattern)
    {
        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.NonBacktracking | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static TextMatch? TextMatchOf(BoundFunctionExpression function) => function.Function.Name switch
    {
        "contains" when function.Arguments.Length == 2 => TextMatch.Contains,
        "starts_with" => TextMatch.StartsWith,
        "ends_with" => TextMatch.EndsWith,
        "search" when function.Arguments.Length == 2 || function.Arguments[2] is BoundConstant { Value: "log" } => TextMatch.Search,
        _ => null,
    };

    /// <summary>The expression text of the first index on <paramref name="expression"/>, or null.</summary>
    private static string? IndexOn(BoundExpression expression, ImmutableArray<BoundIndex> indexes)
    {
        foreach (BoundIndex index in indexes)
        {
            if (BoundExpressionEquality.Same(index.Expression, expression))
            {
                return index.Definition.Expression;
            }
        }
        return null;
    }

    /// <summary>A non-NULL constant of exactly the column's (non-variant) type.</summary>
    private static bool IsFilterValue(BoundExpression expression, LogicalType columnType) =>
        expression is BoundConstant { Value: not null } constant && constant.Type == columnType && !columnType.IsVariant;

    private static CompareOp? ToCompareOp(BinaryOperator op) => op switch
    {
        BinaryOperator.Equal => CompareOp.Equal,
        BinaryOperator.NotEqual => CompareOp.NotEqual,
        BinaryOperator.Less => CompareOp.Less,
        BinaryOperator.LessOrEqual => CompareOp.LessOrEqual,
        BinaryOperator.Greater => CompareOp.Greater,
        BinaryOperator.GreaterOrEqual => CompareOp.GreaterOrEqual,
        // a IS c, for a non-NULL constant c (the only kind filters take), keeps the rows of a = c
        BinaryOperator.IsNotDistinctFrom => CompareOp.Equal,
        _ => null,
    };

    private static CompareOp Flip(CompareOp op) => op switch
    {
        CompareOp.Less => CompareOp.Greater,
        CompareOp.LessOrEqual => CompareOp.GreaterOrEqual,
        CompareOp.Greater => CompareOp.Less,
        CompareOp.GreaterOrEqual => CompareOp.LessOrEqual,
        _ => op,
    };
}
