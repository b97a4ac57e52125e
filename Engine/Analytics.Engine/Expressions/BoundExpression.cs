using System.Collections.Immutable;
using Analytics.Vector.Types;

namespace Analytics.Engine.Expressions;

/// <summary>
/// A bound, typed expression: the binder's output and the evaluator's input. Immutable. Column references point at
/// the ordinal of a column in the <em>input</em> of the operator that owns the expression.
/// </summary>
public abstract record BoundExpression(LogicalType Type)
{
    /// <summary>True when the expression reads no columns and calls nothing volatile (constant folding candidate).</summary>
    public abstract bool IsFoldable { get; }

    public abstract IEnumerable<BoundExpression> Children { get; }
}

/// <summary>Input column <see cref="Index"/>; <see cref="Name"/> is for EXPLAIN and error messages only.</summary>
public sealed record BoundColumnReference(int Index, string Name, LogicalType Type) : BoundExpression(Type)
{
    public override bool IsFoldable => false;
    public override IEnumerable<BoundExpression> Children => [];
    public override string ToString() => Name;
}

/// <summary>
/// A constant. <see cref="Value"/> is null for NULL, else: bool, long (int, timestamp and interval as nanoseconds),
/// ulong, double, string, byte[], or for any/array/object the variant-encoded value bytes.
/// </summary>
public sealed record BoundConstant(object? Value, LogicalType Type) : BoundExpression(Type)
{
    public override bool IsFoldable => true;
    public override IEnumerable<BoundExpression> Children => [];
}

/// <summary>CAST / :: / typed literal. With <see cref="ErrorsAsNull"/>, a failed conversion gives NULL (casts from any, Q19).</summary>
public sealed record BoundCastExpression(BoundExpression Input, LogicalType Type, bool ErrorsAsNull) : BoundExpression(Type)
{
    public override bool IsFoldable => Input.IsFoldable;
    public override IEnumerable<BoundExpression> Children => [Input];
}

public enum BinaryOperator
{
    Add, Subtract, Multiply, Divide, Modulo, Concat,
    Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual,
    /// <summary>Null-safe equality: <c>a IS b</c> (Q1).</summary>
    IsNotDistinctFrom,
    /// <summary>Null-safe inequality: <c>a IS NOT b</c>.</summary>
    IsDistinctFrom,
}

/// <summary>
/// Arithmetic, concatenation or comparison. The binder has already inserted casts so that both operands have the
/// same type (numeric promotion, Q3), except timestamp/interval arithmetic (timestamp ± interval, timestamp − timestamp).
/// </summary>
public sealed record BoundBinaryExpression(BinaryOperator Operator, BoundExpression Left, BoundExpression Right, LogicalType Type)
    : BoundExpression(Type)
{
    public override bool IsFoldable => Left.IsFoldable && Right.IsFoldable;
    public override IEnumerable<BoundExpression> Children => [Left, Right];
    public bool IsComparison => Operator >= BinaryOperator.Equal;
}

public enum UnaryOperator { Negate, Not }

public sealed record BoundUnaryExpression(UnaryOperator Operator, BoundExpression Operand, LogicalType Type) : BoundExpression(Type)
{
    public override bool IsFoldable => Operand.IsFoldable;
    public override IEnumerable<BoundExpression> Children => [Operand];
}

/// <summary>AND / OR over two or more boolean children (three-valued logic). XOR is bound as <c>a != b</c> on booleans.</summary>
public sealed record BoundConjunctionExpression(bool IsAnd, ImmutableArray<BoundExpression> Operands) : BoundExpression(LogicalType.Boolean)
{
    public override bool IsFoldable => Operands.All(o => o.IsFoldable);
    public override IEnumerable<BoundExpression> Children => Operands;
}

/// <summary><c>x IS [NOT] NULL</c>.</summary>
public sealed record BoundIsNullExpression(BoundExpression Operand, bool Negated) : BoundExpression(LogicalType.Boolean)
{
    public override bool IsFoldable => Operand.IsFoldable;
    public override IEnumerable<BoundExpression> Children => [Operand];
}

/// <summary><c>x [NOT] IN (list)</c>; list items are cast to the input's type.</summary>
public sealed record BoundInExpression(BoundExpression Input, ImmutableArray<BoundExpression> List, bool Negated) : BoundExpression(LogicalType.Boolean)
{
    public override bool IsFoldable => Input.IsFoldable && List.All(l => l.IsFoldable);
    public override IEnumerable<BoundExpression> Children => [Input, .. List];
}

/// <summary>Searched CASE (the simple form and IF are rewritten into it); missing ELSE is NULL.</summary>
public sealed record BoundCaseExpression(ImmutableArray<(BoundExpression When, BoundExpression Then)> Branches, BoundExpression Else, LogicalType Type)
    : BoundExpression(Type)
{
    public override bool IsFoldable => Else.IsFoldable && Branches.All(b => b.When.IsFoldable && b.Then.IsFoldable);
    public override IEnumerable<BoundExpression> Children
    {
        get
        {
            foreach ((BoundExpression when, BoundExpression then) in Branches)
            {
                yield return when;
                yield return then;
            }
            yield return Else;
        }
    }
}

/// <summary><c>try(expr)</c>: rows where evaluating <see cref="Input"/> raises an error become NULL.</summary>
public sealed record BoundTryExpression(BoundExpression Input) : BoundExpression(Input.Type)
{
    public override bool IsFoldable => Input.IsFoldable;
    public override IEnumerable<BoundExpression> Children => [Input];
}

/// <summary><c>catch(expr)</c>: the full error text of rows where evaluating <see cref="Input"/> raises an error, NULL elsewhere.</summary>
public sealed record BoundCatchExpression(BoundExpression Input) : BoundExpression(LogicalType.String)
{
    public override bool IsFoldable => Input.IsFoldable;
    public override IEnumerable<BoundExpression> Children => [Input];
}

/// <summary>
/// A chain of constant subscripts on a variant, <c>v['a']['b'][0]</c>, as one node so scans can push the whole path
/// down. Missing steps give NULL, and so does a top-level JSON null result (Q11). Non-constant subscripts bind to the
/// <c>get</c> function instead.
/// </summary>
public sealed record BoundVariantPathExpression(BoundExpression Input, ImmutableArray<VariantPathStep> Steps) : BoundExpression(LogicalType.Any)
{
    public override bool IsFoldable => Input.IsFoldable;
    public override IEnumerable<BoundExpression> Children => [Input];
}

/// <summary>One constant subscript: a key step when <see cref="Key"/> is not null, else an index step (negative counts from the end).</summary>
public readonly record struct VariantPathStep(string? Key, long Index);

/// <summary>A scalar function call, already resolved to one overload; arguments are in declared parameter order.</summary>
public sealed record BoundFunctionExpression(Functions.ScalarFunction Function, ImmutableArray<BoundExpression> Arguments, LogicalType Type)
    : BoundExpression(Type)
{
    public override bool IsFoldable => Function.Volatility == Functions.Volatility.Immutable && Arguments.All(a => a.IsFoldable);
    public override IEnumerable<BoundExpression> Children => Arguments;
}

/// <summary>An aggregate call; appears only in <see cref="Planning.LogicalAggregate"/>. Arguments are over the aggregate's input.</summary>
public sealed record BoundAggregateExpression(Functions.AggregateFunction Function, ImmutableArray<BoundExpression> Arguments, LogicalType Type)
    : BoundExpression(Type)
{
    public override bool IsFoldable => false;
    public override IEnumerable<BoundExpression> Children => Arguments;
}

/// <summary>
/// A window function call; appears only in <see cref="Planning.LogicalWindow"/>. Arguments are over the window's input;
/// lag/lead have exactly three (value, a constant non-negative int offset, default of the call's type).
/// </summary>
public sealed record BoundWindowExpression(Functions.WindowFunction Function, ImmutableArray<BoundExpression> Arguments, LogicalType Type)
    : BoundExpression(Type)
{
    public override bool IsFoldable => false;
    public override IEnumerable<BoundExpression> Children => Arguments;
}

/// <summary>One ORDER BY item.</summary>
public sealed record BoundOrderItem(BoundExpression Expression, bool Descending, bool NullsFirst);
