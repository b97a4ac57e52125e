using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Engine.Planning;
using Analytics.Errors;
using Analytics.Sql.Syntax;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

public sealed partial class Binder
{
    /// <summary>
    /// <c>[GROUP BY …] [WITHIN GROUP ORDER BY …] WINDOW item, …</c>: the input's columns (qualifiers kept), then one
    /// column per item. An item is a window call or an expression over window calls and input columns; when every item
    /// is a plain call the window's output is the result, otherwise a projection computes the items over it. Partition
    /// key aliases name nothing: the keys are input columns already there.
    /// </summary>
    private (LogicalOperator, BindScope) BindWindow(LogicalOperator plan, BindScope scope, WindowClauseSyntax clause)
    {
        ImmutableArray<BoundExpression> partitionBy = [.. clause.PartitionBy.Select(key => BindScalar(key.Expression, scope, "GROUP BY"))];
        ImmutableArray<BoundOrderItem> order = BindOrderItems(scope, clause.OrderBy);
        int width = scope.Columns.Length;
        WindowCollector collector = new(width);
        List<BoundExpression> items = [];
        List<string> names = [];
        foreach (AliasedExpressionSyntax item in clause.Functions)
        {
            BoundExpression bound = BindExpression(item.Expression, scope, new BindContext("WINDOW", null, collector));
            if (!BoundExpressionRewriter.Any(bound, e => e is BoundColumnReference column && column.Index >= width))
            {
                throw new QueryException(ErrorKind.Binder,
                    $"WINDOW item {DefaultName(item.Expression)} calls no window function (row_number, rank, dense_rank, lag, lead); compute it in SELECT");
            }
            items.Add(bound);
            names.Add(item.Alias?.Name ?? DefaultName(item.Expression));
        }
        bool direct = items.Count == collector.Functions.Count
            && items.Select((e, i) => e is BoundColumnReference c && c.Index == width + i).All(b => b);
        ImmutableArray<string> windowNames = direct ? [.. names] : [.. collector.Functions.Select((_, i) => $"__window_{i}")];
        LogicalWindow window = new(plan, partitionBy, order, [.. collector.Functions], windowNames);
        ImmutableArray<ScopeColumn> itemColumns = [.. items.Select((e, i) => new ScopeColumn(names[i], null, e.Type))];
        BindScope output = new([.. scope.Columns, .. itemColumns]);
        if (direct)
        {
            return (window, output);
        }
        ImmutableArray<BoundExpression> expressions =
            [.. scope.Columns.Select((c, i) => (BoundExpression)new BoundColumnReference(i, c.Name, c.Type)), .. items];
        return (new LogicalProjection(window, expressions, output.ToSchema()), output);
    }

    /// <summary>
    /// Resolves a window call. lag/lead get their three arguments made explicit: the offset as a non-negative int
    /// constant (1 when omitted), and the default (NULL when omitted) unified with the value's type, which is the call's type.
    /// </summary>
    private BoundWindowExpression BindWindowCall(FunctionCallSyntax call, BindScope scope, BindContext context)
    {
        BoundWindowExpression window = Functions.BindWindow(call.Name.Name, BindArguments(call, scope, context));
        if (window.Function.Kind is not (WindowFunctionKind.Lag or WindowFunctionKind.Lead))
        {
            return window;
        }
        string name = window.Function.Name;
        BoundExpression value = window.Arguments[0];
        long offset = window.Arguments.Length > 1 ? WindowOffset(name, window.Arguments[1]) : 1;
        BoundExpression fallback = window.Arguments.Length > 2 ? window.Arguments[2] : new BoundConstant(null, LogicalType.Null);
        LogicalType type = TypeRules.Unify(value.Type, fallback.Type)
            ?? throw new QueryException(ErrorKind.Binder, $"{name}() default of type {fallback.Type} does not match its value of type {value.Type}");
        return window with
        {
            Arguments = [TypeRules.Coerce(value, type), new BoundConstant(offset, LogicalType.Int), TypeRules.Coerce(fallback, type)],
            Type = type,
        };
    }

    /// <summary>lag/lead's offset: an integer constant ≥ 0 (scopeql.md §3.2); a NULL (or skipped) offset means the default 1.</summary>
    private static long WindowOffset(string function, BoundExpression offset)
    {
        BoundConstant? constant = offset as BoundConstant;
        if (constant is null && offset.IsFoldable && ConstantEvaluator.TryEvaluate(offset, out BoundConstant? folded))
        {
            constant = folded;
        }
        return constant?.Value switch
        {
            null when constant is not null => 1,
            long k when k >= 0 => k,
            ulong k when k <= long.MaxValue => (long)k,
            _ => throw new QueryException(ErrorKind.Binder,
                $"{function}() offset must be a non-negative integer constant, got {BoundExpressionPrinter.Print(offset)}"),
        };
    }

    /// <summary>
    /// Collects the window calls of a WINDOW clause (deduplicated); call k becomes a reference to the window's output
    /// column <c>input width + k</c>.
    /// </summary>
    internal sealed class WindowCollector(int inputWidth)
    {
        public List<BoundWindowExpression> Functions { get; } = [];

        public BoundColumnReference Add(BoundWindowExpression window, string name)
        {
            int index = BoundExpressionEquality.IndexOf(Functions, window);
            if (index < 0)
            {
                index = Functions.Count;
                Functions.Add(window);
            }
            return new BoundColumnReference(inputWidth + index, name, window.Type);
        }
    }
}
