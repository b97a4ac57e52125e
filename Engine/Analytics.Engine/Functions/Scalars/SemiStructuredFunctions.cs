using System.Buffers;
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
    /// Kernel over the argument vectors (so it knows each argument's ScopeQL type) that writes each active row straight
    /// into the result vector: values are read as spans and <see cref="VariantValue"/> views, built in the evaluator's
    /// <see cref="VariantBuilder"/>, and nothing is boxed or allocated per row. A NULL among the first
    /// <see cref="NullPropagatingArguments"/> arguments gives NULL without calling <see cref="Compute"/>.
    /// </summary>
    private abstract class VariantKernel : ScalarKernel
    {
        /// <summary>How many leading arguments make the result NULL when NULL: all by default.</summary>
        protected virtual int NullPropagatingArguments => int.MaxValue;

        /// <summary>Writes row <paramref name="row"/> of <paramref name="result"/> (rows come in ascending order).</summary>
        protected abstract void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result);

        public sealed override void Evaluate(ReadOnlySpan<ColumnVector> arguments, int count, ReadOnlySpan<int> selection, ColumnVector result)
        {
            VariantBuilder builder = VariantValues.ScratchBuilder;
            bool dense = selection.IsEmpty;
            for (int k = 0; k < count; k++)
            {
                int row = dense ? k : selection[k];
                bool anyNull = false;
                int propagating = Math.Min(NullPropagatingArguments, arguments.Length);
                for (int a = 0; a < propagating; a++)
                {
                    anyNull |= IsNull(arguments[a], row);
                }
                if (anyNull)
                {
                    SetNull(result, row);
                }
                else
                {
                    Compute(arguments, row, builder, result);
                }
            }
        }

        protected static bool IsNull(ColumnVector vector, int row) => vector.Type.Id == TypeId.Null || vector.IsNullAt(row);

        protected static void SetNull(ColumnVector result, int row) => result.Validity.SetNull(row, result.Capacity);

        /// <summary>The builder's one top-level value as the row's variant; a top-level JSON null is SQL NULL (Q11).</summary>
        protected static void WriteVariant(ColumnVector result, int row, VariantBuilder builder)
        {
            ReadOnlySpan<byte> value = builder.Finish();
            if (VariantValue.Parse(value).IsNull)
            {
                SetNull(result, row);
                return;
            }
            result.SetBytes(row, value);
            result.Validity.SetValid(row);
        }

        protected static void WriteText(ColumnVector result, int row, ReadOnlySpan<byte> utf8)
        {
            result.SetBytes(row, utf8);
            result.Validity.SetValid(row);
        }

        /// <summary>A type name as a string result (names are short ASCII words).</summary>
        protected static void WriteName(ColumnVector result, int row, string name)
        {
            Span<byte> utf8 = stackalloc byte[32];
            WriteText(result, row, utf8[..Encoding.UTF8.GetBytes(name, utf8)]);
        }

        protected static void WriteInt64(ColumnVector result, int row, long value)
        {
            result.GetData<long>()[row] = value;
            result.Validity.SetValid(row);
        }

        protected static void WriteBoolean(ColumnVector result, int row, bool value)
        {
            result.GetData<byte>()[row] = value ? (byte)1 : (byte)0;
            result.Validity.SetValid(row);
        }

        protected static VariantValue Variant(ColumnVector vector, int row) => VariantValue.Parse(Bytes(vector, row));

        protected static ReadOnlySpan<byte> Bytes(ColumnVector vector, int row)
        {
            ValueReader.Locate(vector, row, out ColumnVector values, out int index);
            return values.GetBytes(index);
        }

        protected static long Int64(ColumnVector vector, int row)
        {
            ValueReader.Locate(vector, row, out ColumnVector values, out int index);
            return values.GetData<long>()[index];
        }
    }

    private sealed class GetKey : VariantKernel
    {
        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            ReadOnlySpan<byte> key = Bytes(arguments[1], row);
            if (key.IsEmpty)
            {
                throw new QueryException(ErrorKind.InvalidInput, "the empty key is not allowed in a path");
            }
            if (VariantPath.TryGetKey(Variant(arguments[0], row), key, builder))
            {
                WriteVariant(result, row, builder);
            }
            else
            {
                SetNull(result, row);
            }
        }
    }

    private sealed class GetIndex : VariantKernel
    {
        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            if (VariantPath.TryGetIndex(Variant(arguments[0], row), Int64(arguments[1], row), builder))
            {
                WriteVariant(result, row, builder);
            }
            else
            {
                SetNull(result, row);
            }
        }
    }

    /// <summary>NULL elements are kept as JSON nulls.</summary>
    private sealed class ArrayConstruct : VariantKernel
    {
        protected override int NullPropagatingArguments => 0;

        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            builder.Reset();
            builder.StartArray();
            foreach (ColumnVector argument in arguments)
            {
                VariantValues.WriteFrom(builder, argument, row);
            }
            builder.EndArray();
            WriteVariant(result, row, builder);
        }
    }

    /// <summary>Alternating string keys and values; NULL values are kept (§3.7).</summary>
    private sealed class ObjectConstruct : VariantKernel
    {
        protected override int NullPropagatingArguments => 0;

        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            if (arguments.Length % 2 != 0)
            {
                throw new QueryException(ErrorKind.InvalidInput, "object_construct() takes key/value pairs");
            }
            builder.Reset();
            builder.StartObject();
            for (int a = 0; a < arguments.Length; a += 2)
            {
                if (arguments[a].Type.Id != TypeId.String || IsNull(arguments[a], row))
                {
                    throw new QueryException(ErrorKind.InvalidInput, "object keys must be non-NULL strings");
                }
                builder.WriteKey(Bytes(arguments[a], row));
                VariantValues.WriteFrom(builder, arguments[a + 1], row);
            }
            builder.EndObject();
            WriteVariant(result, row, builder);
        }
    }

    private sealed class ParseJson : VariantKernel
    {
        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            if (!VariantJson.TryParse(Bytes(arguments[0], row), builder, out VariantJsonError error))
            {
                throw new QueryException(ErrorKind.Conversion, $"cannot parse JSON: {error}");
            }
            WriteVariant(result, row, builder);
        }
    }

    /// <summary>Compact JSON with sorted keys; NULL gives the text <c>null</c>.</summary>
    private sealed class ToJson : VariantKernel
    {
        [ThreadStatic]
        private static ArrayBufferWriter<byte>? t_text;

        protected override int NullPropagatingArguments => 0;

        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            if (IsNull(arguments[0], row))
            {
                WriteText(result, row, "null"u8);
                return;
            }
            ArrayBufferWriter<byte> text = t_text ??= new ArrayBufferWriter<byte>(256);
            text.ResetWrittenCount();
            VariantJson.WriteJson(Variant(arguments[0], row), text);
            WriteText(result, row, text.WrittenSpan);
        }
    }

    /// <summary>The type name; NULL gives <c>null</c>; an array gives the array of its elements' type names (§2.4).</summary>
    private sealed class TypeOf : VariantKernel
    {
        protected override int NullPropagatingArguments => 0;

        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            ColumnVector argument = arguments[0];
            if (IsNull(argument, row))
            {
                if (argument.Type.Id == TypeId.Array)
                {
                    SetNull(result, row);
                }
                else
                {
                    WriteText(result, row, "null"u8);
                }
                return;
            }
            if (!argument.Type.IsVariant)
            {
                WriteName(result, row, argument.Type.Name);
                return;
            }
            VariantValue value = Variant(argument, row);
            if (argument.Type.Id != TypeId.Array)
            {
                WriteName(result, row, VariantPath.TypeName(value.Kind));
                return;
            }
            builder.Reset();
            builder.StartArray();
            int length = value.ArrayLength;
            for (int i = 0; i < length; i++)
            {
                builder.WriteString(VariantPath.TypeName(value.GetArrayElement(i).Kind).AsSpan());
            }
            builder.EndArray();
            WriteVariant(result, row, builder);
        }
    }

    private sealed class ArrayLength : VariantKernel
    {
        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result) =>
            WriteInt64(result, row, Variant(arguments[0], row).ArrayLength);
    }

    private sealed class Keys : VariantKernel
    {
        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
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
            WriteVariant(result, row, builder);
        }
    }

    /// <summary>A NULL array gives NULL; a NULL element is appended as a JSON null.</summary>
    private sealed class Append : VariantKernel
    {
        protected override int NullPropagatingArguments => 1;

        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            builder.Reset();
            builder.StartArray();
            WriteElements(builder, Variant(arguments[0], row));
            VariantValues.WriteFrom(builder, arguments[1], row);
            builder.EndArray();
            WriteVariant(result, row, builder);
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
        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            builder.Reset();
            builder.StartArray();
            WriteElements(builder, Variant(arguments[0], row));
            WriteElements(builder, Variant(arguments[1], row));
            builder.EndArray();
            WriteVariant(result, row, builder);
        }
    }

    /// <summary>
    /// Python-like slice: NULL or missing bounds take the defaults of the step's sign, negative bounds count from the
    /// end and are clamped; a NULL array gives NULL, a zero step is an error.
    /// </summary>
    private sealed class ArraySlice : VariantKernel
    {
        protected override int NullPropagatingArguments => 1;

        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            long step = Bound(arguments, 3, row, out long given) ? given : 1;
            if (step == 0)
            {
                throw new QueryException(ErrorKind.InvalidInput, "array_slice() step cannot be 0");
            }
            VariantValue array = Variant(arguments[0], row);
            long length = array.ArrayLength;
            long start = Bound(arguments, 1, row, out long from) ? Clamp(from, length, step) : step > 0 ? 0 : length - 1;
            long end = Bound(arguments, 2, row, out long to) ? Clamp(to, length, step) : step > 0 ? length : -1;
            builder.Reset();
            builder.StartArray();
            for (long i = start; step > 0 ? i < end : i > end; i += step)
            {
                builder.WriteValue(array.GetArrayElement((int)i));
            }
            builder.EndArray();
            WriteVariant(result, row, builder);
        }

        /// <summary>The optional int argument at <paramref name="index"/>, when given and not NULL.</summary>
        private static bool Bound(ReadOnlySpan<ColumnVector> arguments, int index, int row, out long value)
        {
            value = 0;
            if (index >= arguments.Length || IsNull(arguments[index], row))
            {
                return false;
            }
            value = Int64(arguments[index], row);
            return true;
        }

        private static long Clamp(long value, long length, long step)
        {
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
        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
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
            WriteVariant(result, row, builder);
        }
    }

    /// <summary>Elements of the source not in the remove list; all copies go and JSON null counts as a value (§3.7).</summary>
    private sealed class Exclude : VariantKernel
    {
        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
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
            WriteVariant(result, row, builder);
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
        protected override int NullPropagatingArguments => 1;

        protected override void Compute(ReadOnlySpan<ColumnVector> arguments, int row, VariantBuilder builder, ColumnVector result)
        {
            builder.Reset();
            VariantValues.WriteFrom(builder, arguments[1], row);
            VariantValue probe = VariantValue.Parse(builder.Finish());
            VariantValue array = Variant(arguments[0], row);
            int length = array.ArrayLength;
            bool found = false;
            for (int i = 0; i < length && !found; i++)
            {
                found = VariantComparer.Compare(array.GetArrayElement(i), probe) == 0;
            }
            WriteBoolean(result, row, found);
        }
    }
}
