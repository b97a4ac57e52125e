using System.Text;
using Analytics.Engine.Execution;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Functions.Scalars;

/// <summary>
/// The semi-structured functions of scopeql.md §3.7 with their pre-2025 names as aliases: get, array_construct,
/// object_construct, parse_json, to_json, typeof, length, keys, append, array_concat, array_slice, dedup, exclude,
/// contains. Values travel as
/// canonical variant row bytes; a top-level JSON null result is SQL NULL (Q11).
/// </summary>
internal static class SemiStructuredFunctions
{
    public static void Register(FunctionRegistry registry)
    {
        registry.Add(new ScalarFunction("get", [new("value", LogicalType.Any), new("key", LogicalType.String)], LogicalType.Any, Volatility.Immutable, new GetKey()));
        registry.Add(new ScalarFunction("get", [new("value", LogicalType.Any), new("index", LogicalType.Int)], LogicalType.Any, Volatility.Immutable, new GetIndex()));
        registry.Add(new ScalarFunction("array_construct", [new("element", null, Optional: true)], LogicalType.Array, Volatility.Immutable, new ArrayConstruct()), variadic: true);
        registry.Add(new ScalarFunction("object_construct", [new("key_or_value", null, Optional: true)], LogicalType.Object, Volatility.Immutable, new ObjectConstruct()), variadic: true);
        registry.Add(new ScalarFunction("parse_json", [new("text", LogicalType.String)], LogicalType.Any, Volatility.Immutable, new ParseJson()));
        registry.Add(new ScalarFunction("to_json", [new("value", LogicalType.Any)], LogicalType.String, Volatility.Immutable, new ToJson()));
        registry.Add(new ScalarFunction("typeof", [new("value", LogicalType.Array)], LogicalType.Array, Volatility.Immutable, new TypeOf()));
        registry.Add(new ScalarFunction("typeof", [new("value", null)], LogicalType.String, Volatility.Immutable, new TypeOf()));
        foreach (string name in (string[])["length", "array_length"])
        {
            registry.Add(new ScalarFunction(name, [new("array", LogicalType.Array)], LogicalType.Int, Volatility.Immutable, new ArrayLength()));
        }
        foreach (string name in (string[])["keys", "object_keys"])
        {
            registry.Add(new ScalarFunction(name, [new("object", LogicalType.Object)], LogicalType.Array, Volatility.Immutable, new Keys()));
        }
        foreach (string name in (string[])["append", "array_append"])
        {
            registry.Add(new ScalarFunction(name, [new("array", LogicalType.Array), new("element", null)], LogicalType.Array, Volatility.Immutable, new Append()));
        }
        registry.Add(new ScalarFunction("array_slice",
            [new("array", LogicalType.Array), new("start", LogicalType.Int, Optional: true), new("end", LogicalType.Int, Optional: true), new("step", LogicalType.Int, Optional: true)],
            LogicalType.Array, Volatility.Immutable, new ArraySlice()));
        registry.Add(new ScalarFunction("dedup", [new("array", LogicalType.Array)], LogicalType.Array, Volatility.Immutable, new Dedup()));
        foreach (string name in (string[])["exclude", "array_except"])
        {
            registry.Add(new ScalarFunction(name, [new("source", LogicalType.Array), new("remove", LogicalType.Array)], LogicalType.Array, Volatility.Immutable, new Exclude()));
        }
        registry.Add(new ScalarFunction("array_concat", [new("left", LogicalType.Array), new("right", LogicalType.Array)], LogicalType.Array, Volatility.Immutable, new ArrayConcat()));
        foreach (string name in (string[])["contains", "array_contains"])
        {
            registry.Add(new ScalarFunction(name, [new("array", LogicalType.Array), new("value", null)], LogicalType.Boolean, Volatility.Immutable, new Contains()));
        }
    }

    /// <summary>
    /// Row-at-a-time kernel that sees the argument vectors (so it knows each argument's ScopeQL type) and shares the
    /// thread's variant builder. NULL arguments give NULL unless <see cref="PropagatesNulls"/> is false.
    /// </summary>
    private abstract class VariantKernel : ScalarKernel
    {
        protected virtual bool PropagatesNulls => true;

        protected abstract object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder);

        public sealed override void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, ColumnVector result)
        {
            VariantBuilder builder = VariantValues.ScratchBuilder;
            bool dense = selection.IsEmpty;
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                bool anyNull = false;
                if (PropagatesNulls)
                {
                    for (int a = 0; a < arguments.Length; a++)
                    {
                        anyNull |= arguments[a].Type.Id == TypeId.Null || arguments[a].IsNullAt(row);
                    }
                }
                RowValues.Set(result, row, anyNull ? null : Compute(arguments, row, builder));
            }
        }

        protected static object? Value(ColumnVector vector, int row) =>
            vector.Type.Id == TypeId.Null ? null : RowValues.Get(vector, row);

        protected static VariantValue Variant(ColumnVector vector, int row) => VariantValue.Parse(Bytes(vector, row));

        protected static ReadOnlySpan<byte> Bytes(ColumnVector vector, int row)
        {
            ValueReader.Locate(vector, row, out ColumnVector values, out int index);
            return values.GetBytes(index);
        }
    }

    private sealed class GetKey : VariantKernel
    {
        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            string key = (string)Value(arguments[1], row)!;
            if (key.Length == 0)
            {
                throw new QueryException(ErrorKind.InvalidInput, "the empty key is not allowed in a path");
            }
            return VariantPath.TryGetKey(Variant(arguments[0], row), Encoding.UTF8.GetBytes(key), builder) ? VariantValues.Finish(builder) : null;
        }
    }

    private sealed class GetIndex : VariantKernel
    {
        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder) =>
            VariantPath.TryGetIndex(Variant(arguments[0], row), (long)Value(arguments[1], row)!, builder) ? VariantValues.Finish(builder) : null;
    }

    /// <summary>NULL elements are kept as JSON nulls.</summary>
    private sealed class ArrayConstruct : VariantKernel
    {
        protected override bool PropagatesNulls => false;

        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            builder.Reset();
            builder.StartArray();
            foreach (ColumnVector argument in arguments)
            {
                VariantValues.Write(builder, Value(argument, row), argument.Type);
            }
            builder.EndArray();
            return builder.Finish().ToArray();
        }
    }

    /// <summary>Alternating string keys and values; NULL values are kept (§3.7).</summary>
    private sealed class ObjectConstruct : VariantKernel
    {
        protected override bool PropagatesNulls => false;

        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            if (arguments.Length % 2 != 0)
            {
                throw new QueryException(ErrorKind.InvalidInput, "object_construct() takes key/value pairs");
            }
            builder.Reset();
            builder.StartObject();
            for (int a = 0; a < arguments.Length; a += 2)
            {
                if (arguments[a].Type.Id != TypeId.String || Value(arguments[a], row) is not string key)
                {
                    throw new QueryException(ErrorKind.InvalidInput, "object keys must be non-NULL strings");
                }
                builder.WriteKey(key.AsSpan());
                VariantValues.Write(builder, Value(arguments[a + 1], row), arguments[a + 1].Type);
            }
            builder.EndObject();
            return builder.Finish().ToArray();
        }
    }

    private sealed class ParseJson : VariantKernel
    {
        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            if (!VariantJson.TryParse(Bytes(arguments[0], row), builder, out VariantJsonError error))
            {
                throw new QueryException(ErrorKind.Conversion, $"cannot parse JSON: {error}");
            }
            return VariantValues.Finish(builder);
        }
    }

    /// <summary>Compact JSON with sorted keys; NULL gives the text <c>null</c>.</summary>
    private sealed class ToJson : VariantKernel
    {
        protected override bool PropagatesNulls => false;

        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder) =>
            arguments[0].Type.Id == TypeId.Null || arguments[0].IsNullAt(row) ? "null" : VariantJson.ToJsonString(Variant(arguments[0], row));
    }

    /// <summary>The type name; NULL gives <c>null</c>; an array gives the array of its elements' type names (§2.4).</summary>
    private sealed class TypeOf : VariantKernel
    {
        protected override bool PropagatesNulls => false;

        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            ColumnVector argument = arguments[0];
            if (argument.Type.Id == TypeId.Null || argument.IsNullAt(row))
            {
                return argument.Type.Id == TypeId.Array ? null : "null";
            }
            if (!argument.Type.IsVariant)
            {
                return argument.Type.Name;
            }
            VariantValue value = Variant(argument, row);
            if (argument.Type.Id != TypeId.Array)
            {
                return VariantPath.TypeName(value.Kind);
            }
            builder.Reset();
            builder.StartArray();
            int length = value.ArrayLength;
            for (int i = 0; i < length; i++)
            {
                builder.WriteString(VariantPath.TypeName(value.GetArrayElement(i).Kind).AsSpan());
            }
            builder.EndArray();
            return builder.Finish().ToArray();
        }
    }

    private sealed class ArrayLength : VariantKernel
    {
        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder) =>
            (long)Variant(arguments[0], row).ArrayLength;
    }

    private sealed class Keys : VariantKernel
    {
        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            VariantValue value = Variant(arguments[0], row);
            builder.Reset();
            builder.StartArray();
            int count = value.ObjectCount;
            for (int i = 0; i < count; i++)
            {
                value.GetObjectField(i, out ReadOnlySpan<byte> key);
                builder.WriteString(key);
            }
            builder.EndArray();
            return builder.Finish().ToArray();
        }
    }

    /// <summary>A NULL array gives NULL; a NULL element is appended as a JSON null.</summary>
    private sealed class Append : VariantKernel
    {
        protected override bool PropagatesNulls => false;

        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            if (arguments[0].Type.Id == TypeId.Null || arguments[0].IsNullAt(row))
            {
                return null;
            }
            builder.Reset();
            builder.StartArray();
            WriteElements(builder, Variant(arguments[0], row));
            VariantValues.Write(builder, Value(arguments[1], row), arguments[1].Type);
            builder.EndArray();
            return builder.Finish().ToArray();
        }
    }

    /// <summary>Copies every element of <paramref name="array"/> into the open array of <paramref name="builder"/>.</summary>
    private static void WriteElements(VariantBuilder builder, VariantValue array)
    {
        int length = array.ArrayLength;
        for (int i = 0; i < length; i++)
        {
            builder.WriteValue(array.GetArrayElement(i));
        }
    }

    private sealed class ArrayConcat : VariantKernel
    {
        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            builder.Reset();
            builder.StartArray();
            WriteElements(builder, Variant(arguments[0], row));
            WriteElements(builder, Variant(arguments[1], row));
            builder.EndArray();
            return builder.Finish().ToArray();
        }
    }

    /// <summary>
    /// Python-like slice: NULL or missing bounds take the defaults of the step's sign, negative bounds count from the
    /// end and are clamped; a NULL array gives NULL, a zero step is an error.
    /// </summary>
    private sealed class ArraySlice : VariantKernel
    {
        protected override bool PropagatesNulls => false;

        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            if (arguments[0].Type.Id == TypeId.Null || arguments[0].IsNullAt(row))
            {
                return null;
            }
            long step = Bound(arguments, 3, row) ?? 1;
            if (step == 0)
            {
                throw new QueryException(ErrorKind.InvalidInput, "array_slice() step cannot be 0");
            }
            VariantValue array = Variant(arguments[0], row);
            long length = array.ArrayLength;
            long start = Clamp(Bound(arguments, 1, row), length, step, step > 0 ? 0 : length - 1);
            long end = Clamp(Bound(arguments, 2, row), length, step, step > 0 ? length : -1);
            builder.Reset();
            builder.StartArray();
            for (long i = start; step > 0 ? i < end : i > end; i += step)
            {
                builder.WriteValue(array.GetArrayElement((int)i));
            }
            builder.EndArray();
            return builder.Finish().ToArray();
        }

        private static long? Bound(ReadOnlySpan<ColumnVector> arguments, int index, int row) =>
            index < arguments.Length && Value(arguments[index], row) is long value ? value : null;

        private static long Clamp(long? bound, long length, long step, long fallback)
        {
            if (bound is not long value)
            {
                return fallback;
            }
            if (value < 0)
            {
                value += length;
            }
            return step > 0 ? Math.Clamp(value, 0, length) : Math.Clamp(value, -1, length - 1);
        }
    }

    /// <summary>Keeps the first occurrence of each element (equality on canonical bytes = logical equality).</summary>
    private sealed class Dedup : VariantKernel
    {
        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            VariantValue array = Variant(arguments[0], row);
            int length = array.ArrayLength;
            builder.Reset();
            builder.StartArray();
            for (int i = 0; i < length; i++)
            {
                VariantValue element = array.GetArrayElement(i);
                if (IndexOf(array, i, element) < 0)
                {
                    builder.WriteValue(element);
                }
            }
            builder.EndArray();
            return builder.Finish().ToArray();
        }
    }

    /// <summary>Elements of the source not in the remove list; all copies go and JSON null counts as a value (§3.7).</summary>
    private sealed class Exclude : VariantKernel
    {
        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            VariantValue source = Variant(arguments[0], row);
            VariantValue remove = Variant(arguments[1], row);
            int length = source.ArrayLength;
            builder.Reset();
            builder.StartArray();
            for (int i = 0; i < length; i++)
            {
                VariantValue element = source.GetArrayElement(i);
                if (IndexOf(remove, remove.ArrayLength, element) < 0)
                {
                    builder.WriteValue(element);
                }
            }
            builder.EndArray();
            return builder.Finish().ToArray();
        }
    }

    /// <summary>The first index below <paramref name="limit"/> whose element equals <paramref name="probe"/>, or -1.</summary>
    private static int IndexOf(VariantValue array, int limit, VariantValue probe)
    {
        for (int i = 0; i < limit; i++)
        {
            if (VariantComparer.Compare(array.GetArrayElement(i), probe) == 0)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Q8: a NULL array gives NULL; the probe is compared as <c>any</c>, null-safely (NULL matches a JSON null).</summary>
    private sealed class Contains : VariantKernel
    {
        protected override bool PropagatesNulls => false;

        protected override object? Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder)
        {
            if (arguments[0].Type.Id == TypeId.Null || arguments[0].IsNullAt(row))
            {
                return null;
            }
            builder.Reset();
            VariantValues.Write(builder, Value(arguments[1], row), arguments[1].Type);
            VariantValue probe = VariantValue.Parse(builder.Finish());
            VariantValue array = Variant(arguments[0], row);
            int length = array.ArrayLength;
            for (int i = 0; i < length; i++)
            {
                if (VariantComparer.Compare(array.GetArrayElement(i), probe) == 0)
                {
                    return true;
                }
            }
            return false;
        }
    }
}
