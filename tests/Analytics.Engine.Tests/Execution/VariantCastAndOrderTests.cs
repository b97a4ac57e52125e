using System.Collections.Immutable;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;
using Xunit;

namespace Analytics.Engine.Tests.Execution;

public class VariantCastAndOrderTests
{
    private static byte[] Json(string text)
    {
        VariantBuilder builder = new();
        Assert.True(VariantJson.TryParse(System.Text.Encoding.UTF8.GetBytes(text), builder, out _));
        return builder.Finish().ToArray();
    }

    [Fact]
    public void Any_to_scalar_is_the_cast_of_the_held_value_and_null_when_undefined_or_failing()
    {
        Assert.Equal(42L, Casts.Cast(Json("42"), LogicalType.Any, LogicalType.Int));
        Assert.Equal(42L, Casts.Cast(Json("\"42\""), LogicalType.Any, LogicalType.Int));
        Assert.Equal("1", Casts.Cast(Json("1"), LogicalType.Any, LogicalType.String));
        Assert.Equal(2.5, Casts.Cast(Json("2.5"), LogicalType.Any, LogicalType.Float));
        Assert.Null(Casts.Cast(Json("\"x\""), LogicalType.Any, LogicalType.Int));
        Assert.Null(Casts.Cast(Json("[1]"), LogicalType.Any, LogicalType.Timestamp));
        Assert.Null(Casts.Cast(Json("{\"a\":1}"), LogicalType.Any, LogicalType.Int));
    }

    [Fact]
    public void Any_to_array_or_object_keeps_the_bytes_only_when_the_kind_matches()
    {
        byte[] array = Json("[1,2]");
        byte[] obj = Json("{\"a\":1}");
        Assert.Same(array, Casts.Cast(array, LogicalType.Any, LogicalType.Array));
        Assert.Null(Casts.Cast(array, LogicalType.Any, LogicalType.Object));
        Assert.Same(obj, Casts.Cast(obj, LogicalType.Any, LogicalType.Object));
        Assert.Null(Casts.Cast(Json("1"), LogicalType.Any, LogicalType.Array));
    }

    [Fact]
    public void Scalar_to_any_writes_canonical_bytes_and_round_trips()
    {
        byte[] fromInt = (byte[])Casts.Cast(7L, LogicalType.Int, LogicalType.Any)!;
        Assert.Equal(Json("7"), fromInt);
        Assert.Equal(7L, Casts.Cast(fromInt, LogicalType.Any, LogicalType.Int));
        byte[] fromTimestamp = (byte[])Casts.Cast(1_000L, LogicalType.Timestamp, LogicalType.Any)!;
        Assert.Equal(VariantKind.Timestamp, VariantValue.Parse(fromTimestamp).Kind);
        Assert.Equal(1_000L, Casts.Cast(fromTimestamp, LogicalType.Any, LogicalType.Timestamp));
    }

    [Fact]
    public void Variant_order_follows_q20_across_kinds()
    {
        string[] ascending = ["-3", "5", "18446744073709551615", "1.5", "\"a\"", "\"b\"", "true", "[1,5]", "[2]", "{\"a\":1}"];
        ColumnVector vector = new(LogicalType.Any, ascending.Length);
        for (int i = 0; i < ascending.Length; i++)
        {
            vector.SetBytes(i, Json(ascending[i]));
            vector.Validity.SetValid(i);
        }
        for (int i = 0; i + 1 < ascending.Length; i++)
        {
            Assert.True(ValueOrder.Compare(vector, i, vector, i + 1) < 0, $"{ascending[i]} < {ascending[i + 1]}");
            Assert.True(ValueOrder.Compare(vector, i + 1, vector, i) > 0, $"{ascending[i + 1]} > {ascending[i]}");
            Assert.Equal(0, ValueOrder.Compare(vector, i, vector, i));
        }
    }

    [Fact]
    public void A_constant_path_chain_is_one_node_and_missing_steps_are_null()
    {
        BoundConstant document = new(Json("{\"a\":{\"b\":[10,null,30]}}"), LogicalType.Any);
        object?[] results = new object?[4];
        VariantPathStep[][] paths =
        [
            [new("a", 0), new("b", 0), new(null, -1)],
            [new("a", 0), new("b", 0), new(null, 1)],
            [new("a", 0), new("x", 0)],
            [new("a", 0), new("b", 0), new(null, 3)],
        ];
        for (int p = 0; p < paths.Length; p++)
        {
            BoundVariantPathExpression path = new(document, ImmutableArray.Create(paths[p]));
            Assert.True(ConstantEvaluator.TryEvaluate(path, out BoundConstant? value));
            results[p] = value.Value;
        }
        Assert.Equal(Json("30"), results[0]);
        Assert.Null(results[1]);
        Assert.Null(results[2]);
        Assert.Null(results[3]);
        Assert.Equal("v['a']['b'][-1]", BoundExpressionPrinter.Print(new BoundVariantPathExpression(
            new BoundColumnReference(0, "v", LogicalType.Any), ImmutableArray.Create(paths[0]))));
    }
}
