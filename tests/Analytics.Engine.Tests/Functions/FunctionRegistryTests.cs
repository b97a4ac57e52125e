using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Errors;
using Analytics.Vector.Types;
using Xunit;

namespace Analytics.Engine.Tests.Functions;

public class FunctionRegistryTests
{
    private static readonly FunctionRegistry s_functions = FunctionRegistry.CreateBuiltin();
    private static readonly BoundColumnReference s_int = new(0, "i", LogicalType.Int);
    private static readonly BoundColumnReference s_float = new(1, "f", LogicalType.Float);
    private static readonly BoundColumnReference s_string = new(2, "s", LogicalType.String);

    private static CallArguments Positional(params BoundExpression[] arguments) => new([.. arguments], []);

    [Fact]
    public void Unknown_function_is_reported_lower_cased()
    {
        QueryException error = Assert.Throws<QueryException>(() => s_functions.BindScalar("NoSuchThing", Positional()));
        Assert.Equal("Binder Error: function not found: nosuchthing()", error.Message);
    }

    [Fact]
    public void Overloads_pick_the_exact_type_and_promote_int_to_float()
    {
        BoundFunctionExpression absInt = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("abs", Positional(s_int)));
        Assert.Equal(LogicalType.Int, absInt.Type);
        BoundFunctionExpression round = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("round", Positional(s_float)));
        Assert.Equal(LogicalType.Float, round.Type);
        BoundAggregateExpression avg = s_functions.BindAggregate("avg", Positional(s_int));
        BoundCastExpression cast = Assert.IsType<BoundCastExpression>(avg.Arguments[0]);
        Assert.Equal(LogicalType.Float, cast.Type);
    }

    [Fact]
    public void Null_arguments_coerce_to_the_parameter_type()
    {
        BoundFunctionExpression upper = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("upper", Positional(new BoundConstant(null, LogicalType.Null))));
        Assert.Equal(new BoundConstant(null, LogicalType.String), upper.Arguments[0]);
    }

    [Fact]
    public void Optional_parameters_may_be_positional_or_named()
    {
        BoundFunctionExpression positional = Assert.IsType<BoundFunctionExpression>(
            s_functions.BindScalar("round", Positional(s_float, new BoundConstant(2L, LogicalType.Int))));
        BoundFunctionExpression named = Assert.IsType<BoundFunctionExpression>(
            s_functions.BindScalar("round", new CallArguments([s_float], [("digits", new BoundConstant(2L, LogicalType.Int))])));
        Assert.Equal(positional.Arguments.ToArray(), named.Arguments.ToArray());
    }

    [Fact]
    public void Argument_count_and_type_errors_are_clear()
    {
        QueryException count = Assert.Throws<QueryException>(() => s_functions.BindScalar("lower", Positional(s_string, s_string)));
        Assert.Equal("Binder Error: lower() takes 1 argument, got 2", count.Message);
        QueryException type = Assert.Throws<QueryException>(() => s_functions.BindScalar("lower", Positional(s_int)));
        Assert.Equal("Binder Error: no overload of lower() accepts (int); candidates: lower(string)", type.Message);
        QueryException name = Assert.Throws<QueryException>(() => s_functions.BindScalar("round", new CallArguments([s_float], [("places", s_int)])));
        Assert.Equal("Binder Error: round() has no parameter named places", name.Message);
    }

    [Fact]
    public void Count_star_and_count_expression_are_distinct_aggregates()
    {
        Assert.True(s_functions.IsAggregate("COUNT"));
        Assert.False(s_functions.IsAggregate("lower"));
        Assert.Equal(AggregateKind.CountRows, s_functions.BindAggregate("count", Positional()).Function.Implementation);
        Assert.Equal(AggregateKind.Count, s_functions.BindAggregate("count", Positional(s_string)).Function.Implementation);
    }

    [Theory]
    [InlineData(TypeId.Int, TypeId.Float, true)]
    [InlineData(TypeId.Int, TypeId.Timestamp, true)]
    [InlineData(TypeId.Interval, TypeId.Int, true)]
    [InlineData(TypeId.String, TypeId.Interval, true)]
    [InlineData(TypeId.Boolean, TypeId.String, true)]
    [InlineData(TypeId.Null, TypeId.Binary, true)]
    [InlineData(TypeId.Boolean, TypeId.Int, false)]
    [InlineData(TypeId.Timestamp, TypeId.Interval, false)]
    [InlineData(TypeId.Binary, TypeId.String, false)]
    public void Explicit_casts_follow_section_2_3(TypeId from, TypeId to, bool allowed) =>
        Assert.Equal(allowed, s_functions.CanCast(new LogicalType(from), new LogicalType(to)));
    [Fact]
    public void A_constant_regex_is_compiled_once_when_the_call_is_bound()
    {
        BoundExpression pattern = new BoundConstant("a+b", LogicalType.String);
        BoundFunctionExpression first = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("regexp_like", Positional(s_string, pattern)));
        BoundFunctionExpression second = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("regexp_like", Positional(s_string, pattern)));
        // Each call site gets its own kernel holding the compiled pattern; a per-row pattern keeps the shared kernel.
        Assert.NotSame(first.Function.Implementation, second.Function.Implementation);
        BoundFunctionExpression perRow = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("regexp_like", Positional(s_string, s_string)));
        BoundFunctionExpression perRowAgain = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("regexp_like", Positional(s_string, s_string)));
        Assert.Same(perRow.Function.Implementation, perRowAgain.Function.Implementation);
    }

    [Fact]
    public void A_constant_area_is_prepared_once_when_the_call_is_bound()
    {
        BoundExpression area = new BoundConstant("POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))", LogicalType.String);
        BoundExpression point = new BoundColumnReference(0, "p", LogicalType.Binary);
        BoundFunctionExpression first = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("st_contains", Positional(area, point)));
        BoundFunctionExpression second = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("st_contains", Positional(area, point)));
        // Each call site holds its own prepared area; a per-row area keeps the shared kernel (and the per-thread cache).
        Assert.NotSame(first.Function.Implementation, second.Function.Implementation);
        BoundFunctionExpression perRow = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("st_contains", Positional(s_string, point)));
        BoundFunctionExpression perRowAgain = Assert.IsType<BoundFunctionExpression>(s_functions.BindScalar("st_contains", Positional(s_string, point)));
        Assert.Same(perRow.Function.Implementation, perRowAgain.Function.Implementation);
        QueryException error = Assert.Throws<QueryException>(() =>
            s_functions.BindScalar("st_contains", Positional(new BoundConstant("POLYGON((0 0, 1 0))", LogicalType.String), point)));
        Assert.StartsWith("Invalid Input Error: st_contains(): invalid WKT geometry", error.Message);
    }

    [Fact]
    public void An_invalid_constant_regex_fails_at_bind_time()
    {
        QueryException error = Assert.Throws<QueryException>(() =>
            s_functions.BindScalar("regexp_extract", new CallArguments([s_string], [("regex", new BoundConstant("(", LogicalType.String))])));
        Assert.StartsWith("Invalid Input Error: invalid regular expression '('", error.Message);
    }
}
