using System.Text;
using Analytics.Engine.Execution;
using Analytics.Engine.Expressions;
using Analytics.Engine.Functions;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;
using Xunit;

namespace Analytics.Engine.Tests.Execution;

/// <summary>
/// Property test of the per-dictionary-value evaluation (<see cref="DictionaryCallMemo"/>): over random dictionaries
/// (empty strings, NULL rows, sparse selections, several dictionaries in turn through one evaluator, so the per-code
/// tables are reset and the by-value results reused), every predicate gives the same values and the same selected
/// rows on the dictionary-encoded batch as on the same rows stored flat (the row-by-row reference).
/// </summary>
public class DictionaryCallMemoTests
{
    private static readonly FunctionRegistry s_functions = FunctionRegistry.CreateBuiltin();
    private static readonly BatchSchema s_schema = new(new Field("s", LogicalType.String));
    private static readonly BoundColumnReference s_s = new(0, "s", LogicalType.String);

    public static TheoryData<int> Seeds()
    {
        TheoryData<int> seeds = [];
        for (int seed = 1; seed <= 24; seed++)
        {
            seeds.Add(seed);
        }
        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Dictionary_and_flat_batches_agree(int seed)
    {
        Random random = new(seed);
        BoundExpression[] expressions =
        [
            Call("contains", Text("a/")),
            Call("starts_with", Text("ab")),
            Call("ends_with", Text("")),
            Call("regexp_like", Text("a.b")),
            Call("length"),
            new BoundUnaryExpression(UnaryOperator.Not, Call("contains", Text("b")), LogicalType.Boolean),
            new BoundUnaryExpression(UnaryOperator.Not, Call("regexp_like", Text("^x")), LogicalType.Boolean),
        ];
        foreach (BoundExpression expression in expressions)
        {
            using ExpressionEvaluator onDictionary = new(expression, EvaluationContext.ForNow());
            using ExpressionEvaluator onFlat = new(expression, EvaluationContext.ForNow());
            using ExpressionEvaluator filterDictionary = new(expression, EvaluationContext.ForNow());
            using ExpressionEvaluator filterFlat = new(expression, EvaluationContext.ForNow());
            // Several batches per dictionary, several dictionaries (sharing values) per evaluator.
            for (int d = 0; d < 3; d++)
            {
                string[] dictionary = RandomDictionary(random);
                for (int b = 0; b < 3; b++)
                {
                    int rows = random.Next(1, Batch.Capacity + 1);
                    int[] codes = new int[rows];
                    bool[] nulls = new bool[rows];
                    double nullRate = random.Next(3) == 0 ? 0 : 0.15;
                    for (int row = 0; row < rows; row++)
                    {
                        codes[row] = random.Next(dictionary.Length);
                        nulls[row] = random.NextDouble() < nullRate;
                    }
                    int[]? selection = random.Next(2) == 0 ? null : RandomSelection(random, rows);
                    string context = $"seed {seed}, {expression}, dictionary {d}, batch {b}";

                    Batch encoded = DictionaryBatch(dictionary, codes, nulls, selection);
                    Batch flat = FlatBatch(dictionary, codes, nulls, selection);
                    Assert.True(encoded.Columns[0].Encoding == VectorEncoding.Dictionary, context);
                    if (expression.Type.Id == TypeId.Boolean)
                    {
                        filterDictionary.Filter(encoded);
                        filterFlat.Filter(flat);
                        Assert.True(Selected(flat).SequenceEqual(Selected(encoded)), context);
                        encoded.Release();
                        flat.Release();
                        encoded = DictionaryBatch(dictionary, codes, nulls, selection);
                        flat = FlatBatch(dictionary, codes, nulls, selection);
                    }
                    Assert.True(Values(onFlat, flat).SequenceEqual(Values(onDictionary, encoded)), context);
                    encoded.Release();
                    flat.Release();
                }
            }
        }
    }

    private static BoundExpression Call(string name, params BoundExpression[] constants) =>
        s_functions.BindScalar(name, new CallArguments([s_s, .. constants], []));

    private static BoundConstant Text(string value) => new(value, LogicalType.String);

    /// <summary>Distinct values over a small alphabet (so predicates both pass and fail), including the empty string.</summary>
    private static string[] RandomDictionary(Random random)
    {
        HashSet<string> values = new(StringComparer.Ordinal);
        // Now and then more values than a batch has rows: a dense batch of a cheap kernel computes the whole
        // dictionary, a batch's worth at a time.
        int size = random.Next(4) == 0 ? random.Next(Batch.Capacity + 1, 3 * Batch.Capacity) : random.Next(1, 300);
        while (values.Count < size)
        {
            StringBuilder value = new();
            int length = random.Next(0, 7);
            for (int i = 0; i < length; i++)
            {
                value.Append("ab/xé"[random.Next(5)]);
            }
            values.Add(value.ToString());
        }
        string[] shuffled = [.. values];
        random.Shuffle(shuffled);
        return shuffled;
    }

    private static int[] RandomSelection(Random random, int rows)
    {
        List<int> kept = [];
        double rate = random.NextDouble();
        for (int row = 0; row < rows; row++)
        {
            if (random.NextDouble() < rate)
            {
                kept.Add(row);
            }
        }
        return [.. kept];
    }

    private static Batch DictionaryBatch(string[] values, int[] codes, bool[] nulls, int[]? selection)
    {
        // A third of the dictionaries have room past their values (as a join's reused build-side vector does), where
        // offsets are not values: the memo must not read them.
        ColumnVector dictionary = new(LogicalType.String, values.Length + (values.Length % 3 == 0 ? 37 : 0));
        for (int i = 0; i < values.Length; i++)
        {
            dictionary.SetBytes(i, Encoding.UTF8.GetBytes(values[i]));
        }
        dictionary.FinishBytes(values.Length);
        Batch batch = new(s_schema);
        ColumnVector column = batch.Columns[0];
        column.SetDictionary(dictionary);
        for (int row = 0; row < codes.Length; row++)
        {
            column.Codes[row] = codes[row];
            if (nulls[row])
            {
                column.Validity.SetNull(row, column.Capacity);
            }
        }
        return Finish(batch, codes.Length, selection);
    }

    private static Batch FlatBatch(string[] values, int[] codes, bool[] nulls, int[]? selection)
    {
        Batch batch = new(s_schema);
        ColumnVector column = batch.Columns[0];
        for (int row = 0; row < codes.Length; row++)
        {
            if (nulls[row])
            {
                column.Validity.SetNull(row, column.Capacity);
                continue;
            }
            column.SetBytes(row, Encoding.UTF8.GetBytes(values[codes[row]]));
        }
        column.FinishBytes(codes.Length);
        return Finish(batch, codes.Length, selection);
    }

    private static Batch Finish(Batch batch, int rows, int[]? selection)
    {
        batch.SetCount(rows);
        if (selection is not null)
        {
            selection.CopyTo(batch.SelectionStorage.Indices, 0);
            batch.ApplySelection(selection.Length);
        }
        return batch;
    }

    private static int[] Selected(Batch batch)
    {
        int[] rows = new int[batch.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = batch.RowAt(i);
        }
        return rows;
    }

    private static object?[] Values(ExpressionEvaluator evaluator, Batch batch)
    {
        ColumnVector vector = evaluator.Evaluate(batch);
        object?[] values = new object?[batch.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = RowValues.Get(vector, batch.RowAt(i));
        }
        return values;
    }
}
