using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Xunit;

namespace Analytics.Engine.Tests.Execution;

/// <summary>The semi-structured kernels write straight into their result vectors: no allocation per row once warm.</summary>
public class SemiStructuredFunctionAllocationTests
{
    private static readonly BatchSchema s_schema = new(new Field("v", LogicalType.Any), new Field("a", LogicalType.Array), new Field("i", LogicalType.Int));

    private static Batch Events()
    {
        Batch batch = new(s_schema);
        VariantBuilder builder = new();
        for (int row = 0; row < Batch.Capacity; row++)
        {
            Assert.True(VariantJson.TryParseRow(System.Text.Encoding.UTF8.GetBytes($$"""{"k": {{row}}, "s": "x{{row % 7}}", "l": [1, 2, {{row}}]}"""),
                builder, batch.Columns[0], row, out _));
            Assert.True(VariantJson.TryParseRow(System.Text.Encoding.UTF8.GetBytes($$"""[{{row % 3}}, "a", null, {{row}}]"""), builder, batch.Columns[1], row, out _));
            batch.Columns[2].GetData<long>()[row] = row % 5;
        }
        batch.SetCount(Batch.Capacity);
        return batch;
    }

    [Fact]
    public void Semi_structured_functions_allocate_nothing_per_batch_once_warm()
    {
        FunctionRegistry functions = FunctionRegistry.CreateBuiltin();
        BoundColumnReference v = new(0, "v", LogicalType.Any);
        BoundColumnReference a = new(1, "a", LogicalType.Array);
        BoundColumnReference i = new(2, "i", LogicalType.Int);
        BoundExpression Call(string name, params BoundExpression[] arguments) => functions.BindScalar(name, new CallArguments([.. arguments], []));
        BoundExpression[] expressions =
        [
            Call("to_json", v), Call("typeof", a), Call("typeof", v), Call("length", a), Call("keys", new BoundCastExpression(v, LogicalType.Object, true)),
            Call("append", a, i), Call("array_concat", a, a), Call("contains", a, i), Call("dedup", a), Call("exclude", a, a),
            Call("array_slice", a, i), Call("get", v, new BoundConstant("s", LogicalType.String)), Call("get", a, i),
            Call("array_construct", i, v), Call("object_construct", new BoundConstant("k", LogicalType.String), i),
        ];
        Batch batch = Events();
        foreach (BoundExpression expression in expressions)
        {
            using ExpressionEvaluator evaluator = new(expression, EvaluationContext.ForNow());
            // Past the tiering thresholds, then: steady state means some round of ten batches allocates nothing (a
            // round may still see the JIT swap in optimized code).
            for (int warm = 0; warm < 100; warm++)
            {
                evaluator.Evaluate(batch);
            }
            long fewest = long.MaxValue;
            for (int round = 0; round < 5 && fewest > 0; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int repeat = 0; repeat < 10; repeat++)
                {
                    evaluator.Evaluate(batch);
                }
                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.True(fewest == 0, $"{BoundExpressionPrinter.Print(expression)} allocated {fewest} B per 10 batches");
        }
    }
}
