using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Errors;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Execution;

public class ExpressionEvaluatorTests
{
    private static readonly BatchSchema s_schema = new(new Field("a", LogicalType.Int), new Field("b", LogicalType.Int), new Field("s", LogicalType.String));

    private static readonly BoundColumnReference s_a = new(0, "a", LogicalType.Int);
    private static readonly BoundColumnReference s_b = new(1, "b", LogicalType.Int);
    private static readonly BoundColumnReference s_s = new(2, "s", LogicalType.String);

    private static Batch Rows() => Analytics.Engine.Tests.Storage.TableRows.ToBatch(s_schema,
        [[7L, 2L, "x"], [-7L, 2L, "y"], [1L, 0L, null], [null, 3L, "x"], [5L, null, "z"]]);

    private static object?[] Evaluate(BoundExpression expression, Batch batch)
    {
        using ExpressionEvaluator evaluator = new(expression, EvaluationContext.ForNow());
        var vector = evaluator.Evaluate(batch);
        object?[] values = new object?[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            values[i] = expression.Type.Id == TypeId.Null ? null : RowValues.Get(vector, batch.RowAt(i));
        }
        return values;
    }

    private static BoundBinaryExpression Binary(BinaryOperator op, BoundExpression left, BoundExpression right, LogicalType? type = null) =>
        new(op, left, right, type ?? (op >= BinaryOperator.Equal ? LogicalType.Boolean : left.Type));

    [Fact]
    public void Integer_division_truncates_and_division_by_zero_is_an_error_unless_wrapped_in_try()
    {
        Batch batch = Rows();
        batch.SelectionStorage.Indices[0] = 0;
        batch.SelectionStorage.Indices[1] = 1;
        batch.ApplySelection(2);
        Assert.Equal([3L, -3L], Evaluate(Binary(BinaryOperator.Divide, s_a, s_b), batch));
        Assert.Equal([1L, -1L], Evaluate(Binary(BinaryOperator.Modulo, s_a, s_b), batch));

        QueryException error = Assert.Throws<QueryException>(() => Evaluate(Binary(BinaryOperator.Divide, s_a, s_b), Rows()));
        Assert.Equal("Divide by Zero Error: division by zero", error.Message);
        Assert.Equal([3L, -3L, null, null, null], Evaluate(new BoundTryExpression(Binary(BinaryOperator.Divide, s_a, s_b)), Rows()));
    }

    [Fact]
    public void Three_valued_logic_for_and_or_not()
    {
        BoundExpression aPositive = Binary(BinaryOperator.Greater, s_a, new BoundConstant(0L, LogicalType.Int));
        BoundExpression bPositive = Binary(BinaryOperator.Greater, s_b, new BoundConstant(0L, LogicalType.Int));
        Assert.Equal([true, false, false, null, null], Evaluate(new BoundConjunctionExpression(true, [aPositive, bPositive]), Rows()));
        Assert.Equal([true, true, true, true, true], Evaluate(new BoundConjunctionExpression(false, [aPositive, bPositive]), Rows()));
        Assert.Equal([false, true, false, null, false], Evaluate(new BoundUnaryExpression(UnaryOperator.Not, aPositive, LogicalType.Boolean), Rows()));
    }

    [Fact]
    public void Filter_narrows_the_selection_without_copying_and_never_passes_null()
    {
        Batch batch = Rows();
        BoundExpression predicate = new BoundConjunctionExpression(true, [
            Binary(BinaryOperator.GreaterOrEqual, s_a, new BoundConstant(1L, LogicalType.Int)),
            Binary(BinaryOperator.NotEqual, s_s, new BoundConstant("y", LogicalType.String))]);
        using ExpressionEvaluator evaluator = new(predicate, EvaluationContext.ForNow());
        evaluator.Filter(batch);

        Assert.Equal(2, batch.Count);
        Assert.Equal(0, batch.RowAt(0));
        Assert.Equal(4, batch.RowAt(1));
        Assert.Equal(5, batch.PhysicalCount);
    }

    [Fact]
    public void Case_evaluates_each_branch_only_on_its_rows()
    {
        // WHEN b = 0 THEN -1 ELSE a / b: the division never sees the zero divisor.
        BoundExpression expression = new BoundCaseExpression(
            [(Binary(BinaryOperator.Equal, s_b, new BoundConstant(0L, LogicalType.Int)), new BoundConstant(-1L, LogicalType.Int))],
            Binary(BinaryOperator.Divide, s_a, s_b), LogicalType.Int);
        Assert.Equal([3L, -3L, -1L, null, null], Evaluate(expression, Rows()));
    }

    [Fact]
    public void Casts_parse_and_format_and_report_conversion_errors()
    {
        Batch batch = Rows();
        Assert.Equal(["7", "-7", "1", null, "5"], Evaluate(new BoundCastExpression(s_a, LogicalType.String, false), batch));
        QueryException error = Assert.Throws<QueryException>(() => Evaluate(new BoundCastExpression(s_s, LogicalType.Int, false), Rows()));
        Assert.Equal("Conversion Error: cannot convert `x` to int", error.Message);
        Assert.Equal([null, null, null, null, null], Evaluate(new BoundCastExpression(s_s, LogicalType.Int, ErrorsAsNull: true), Rows()));
    }

    [Fact]
    public void Null_comparisons_are_null_and_is_distinct_is_null_safe()
    {
        BoundConstant nothing = new(null, LogicalType.Int);
        Assert.Equal([null, null, null, null, null], Evaluate(Binary(BinaryOperator.Equal, s_a, nothing), Rows()));
        Assert.Equal([false, false, false, true, false], Evaluate(Binary(BinaryOperator.IsNotDistinctFrom, s_a, nothing), Rows()));
    }

    [Fact]
    public void Functions_propagate_null_and_coalesce_does_not()
    {
        FunctionRegistry functions = FunctionRegistry.CreateBuiltin();
        BoundExpression upper = functions.BindScalar("upper", new CallArguments([s_s], []));
        BoundExpression coalesce = functions.BindScalar("coalesce", new CallArguments([s_a, s_b], []));
        Assert.Equal(["X", "Y", null, "X", "Z"], Evaluate(upper, Rows()));
        Assert.Equal([7L, -7L, 1L, 3L, 5L], Evaluate(coalesce, Rows()));
    }

    [Fact]
    public void Constant_evaluator_folds_and_refuses_errors()
    {
        Assert.True(ConstantEvaluator.TryEvaluate(Binary(BinaryOperator.Add, new BoundConstant(2L, LogicalType.Int), new BoundConstant(3L, LogicalType.Int)), out BoundConstant? sum));
        Assert.Equal(5L, sum.Value);
        Assert.False(ConstantEvaluator.TryEvaluate(Binary(BinaryOperator.Divide, new BoundConstant(2L, LogicalType.Int), new BoundConstant(0L, LogicalType.Int)), out _));
        Assert.False(ConstantEvaluator.TryEvaluate(s_a, out _));
    }

    [Fact]
    public void Float_division_by_zero_gives_infinity()
    {
        BoundConstant one = new(1.0, LogicalType.Float);
        BoundConstant zero = new(0.0, LogicalType.Float);
        Assert.True(ConstantEvaluator.TryEvaluate(Binary(BinaryOperator.Divide, one, zero), out BoundConstant? value));
        Assert.Equal(double.PositiveInfinity, value.Value);
    }
}
