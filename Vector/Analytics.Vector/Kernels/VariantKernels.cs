using System.Buffers.Text;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Values;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Vector.Kernels;

/// <summary>One step of a constant variant path: a UTF-8 key when <see cref="Utf8Key"/> is set, else an index.</summary>
public readonly record struct VariantPathSegment(ImmutableArray<byte> Utf8Key, long Index)
{
    public bool IsKey => !Utf8Key.IsDefault;

    public static VariantPathSegment Key(string key) => new(ImmutableArray.Create(Encoding.UTF8.GetBytes(key)), 0);

    public static VariantPathSegment At(long index) => new(default, index);
}

/// <summary>
/// Extracts one constant path (<c>v['a']['b'][0]</c>) from a variant column into a typed vector, the batch form of
/// scopeql.md §2.4 path access followed by the <c>any -> T</c> cast: a missing path, a JSON null at the path (Q11) or
/// a held value whose scalar cast to T is undefined or fails (Q19) gives NULL; for T = array or object, a value of
/// another kind gives NULL. With an empty path it is the vectorized <c>any -> T</c> cast. Keys and indexes are resolved
/// on the stored bytes through zero-copy <see cref="VariantValue"/> views; only a key step over an array (the Q9
/// mapping, which builds a new array) and a variant output of a non-empty path re-encode values. Reusable, one thread
/// at a time.
/// </summary>
public sealed class VariantPathExtractor
{
    private readonly VariantPathSegment[] _path;
    private readonly VariantBuilder _output = new();
    private readonly VariantBuilder _mappedA = new();
    private readonly VariantBuilder _mappedB = new();

    // Rows of one stream mostly share their metadata (the same keys): the key steps are resolved to dictionary ids
    // once per distinct metadata, and each step remembers the field position where it last found its key. Rows that
    // come without a caller's reader go through this extractor's own.
    private readonly VariantKeyIds _keyIds;
    private readonly VariantRowReader _rows = new();
    private readonly int[] _fieldHints;

    public VariantPathExtractor(ImmutableArray<VariantPathSegment> path, LogicalType target)
    {
        if (target.Id is TypeId.Null or TypeId.Binary)
        {
            ThrowHelper.Throw<object>(ErrorKind.NotImplemented, $"variant path extraction into {target} is not supported yet");
        }
        _path = path.ToArray();
        ImmutableArray<byte>[] keys = new ImmutableArray<byte>[_path.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = _path[i].Utf8Key;
        }
        _keyIds = new VariantKeyIds(keys);
        _fieldHints = new int[_path.Length];
        Target = target;
    }

    public LogicalType Target { get; }

    /// <summary>
    /// Fills physical rows [0, <paramref name="rowCount"/>) of <paramref name="output"/> (flat, of type
    /// <see cref="Target"/>, already reset) from the same rows of <paramref name="input"/> (a variant column in any
    /// encoding).
    /// </summary>
    public void Extract(ColumnVector input, int rowCount, ColumnVector output) => Extract(input, rowCount, default, rowCount, output);

    /// <summary>
    /// <see cref="Extract(ColumnVector, int, ColumnVector)"/> for a batch's active rows only: physical rows
    /// <paramref name="selection"/>[0, <paramref name="count"/>) (ascending), or [0, <paramref name="count"/>) when the
    /// selection is empty, of a batch of <paramref name="physicalCount"/> physical rows. The other rows of the input may
    /// hold anything (an expression evaluated under a selection leaves them unwritten), so they are not read.
    /// </summary>
    public void Extract(ColumnVector input, int count, ReadOnlySpan<int> selection, int physicalCount, ColumnVector output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        if (output.Type != Target || output.Capacity < physicalCount)
        {
            ThrowHelper.ThrowInternal($"variant path output must be a {Target} vector of at least {physicalCount} rows");
        }
        bool dense = selection.IsEmpty;
        bool dictionary = input.Encoding == VectorEncoding.Dictionary;
        ReadOnlySpan<int> codes = dictionary ? input.Codes : default;
        ColumnVector values = dictionary ? input.Dictionary! : input;
        switch (Target.Physical)
        {
            case PhysicalKind.Fixed64:
                for (int k = 0; k < count; k++)
                {
                    int row = dense ? k : selection[k];
                    if (input.IsNullAt(row))
                    {
                        output.Validity.SetNull(row, output.Capacity);
                        continue;
                    }
                    WriteFixed64(values.GetBytes(dictionary ? codes[row] : input.ValueIndex(row)), output, row);
                }
                break;
            case PhysicalKind.Bool8:
                for (int k = 0; k < count; k++)
                {
                    int row = dense ? k : selection[k];
                    if (input.IsNullAt(row))
                    {
                        output.Validity.SetNull(row, output.Capacity);
                        continue;
                    }
                    WriteBoolean(values.GetBytes(dictionary ? codes[row] : input.ValueIndex(row)), output, row);
                }
                break;
            default:
                for (int k = 0; k < count; k++)
                {
                    int row = dense ? k : selection[k];
                    if (input.IsNullAt(row))
                    {
                        output.Validity.SetNull(row, output.Capacity);
                        continue;
                    }
                    WriteBytes(values.GetBytes(dictionary ? codes[row] : input.ValueIndex(row)), output, row);
                }
                output.FinishBytes(physicalCount);
                break;
        }
    }

    /// <summary>
    /// <see cref="Extract"/> for several extractors over the same input in one pass over its rows: each row is parsed,
    /// and its metadata compared with the previous row's, once for all of them (<see cref="VariantRowReader"/>) rather
    /// than once per path. <paramref name="outputs"/>[i] (flat, of extractor i's <see cref="Target"/>, already reset)
    /// receives extractor i's values for physical rows [0, <paramref name="rowCount"/>).
    /// </summary>
    public static void ExtractAll(ColumnVector input, int rowCount, ReadOnlySpan<VariantPathExtractor> extractors, ReadOnlySpan<ColumnVector> outputs,
        VariantRowReader rows)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(rows);
        if (outputs.Length != extractors.Length)
        {
            ThrowHelper.ThrowInternal($"{extractors.Length} variant path extractors given {outputs.Length} outputs");
        }
        for (int p = 0; p < extractors.Length; p++)
        {
            if (outputs[p].Type != extractors[p].Target || outputs[p].Capacity < rowCount)
            {
                ThrowHelper.ThrowInternal($"variant path output must be a {extractors[p].Target} vector of at least {rowCount} rows");
            }
        }
        bool dictionary = input.Encoding == VectorEncoding.Dictionary;
        ReadOnlySpan<int> codes = dictionary ? input.Codes : default;
        ColumnVector values = dictionary ? input.Dictionary! : input;
        for (int row = 0; row < rowCount; row++)
        {
            if (input.IsNullAt(row))
            {
                for (int p = 0; p < outputs.Length; p++)
                {
                    outputs[p].Validity.SetNull(row, outputs[p].Capacity);
                }
                continue;
            }
            ReadOnlySpan<byte> document = values.GetBytes(dictionary ? codes[row] : input.ValueIndex(row));
            VariantValue root = rows.Read(document);
            for (int p = 0; p < extractors.Length; p++)
            {
                extractors[p].ExtractRow(document, root, rows, outputs[p], row);
            }
        }
        for (int p = 0; p < outputs.Length; p++)
        {
            if (extractors[p].Target.Physical == PhysicalKind.VarBytes)
            {
                outputs[p].FinishBytes(rowCount);
            }
        }
    }

    /// <summary>
    /// Whether <see cref="Extract(ColumnVector, int, ReadOnlySpan{int}, int, ColumnVector)"/> would copy the active rows
    /// (<paramref name="selection"/>[0, <paramref name="count"/>), or [0, <paramref name="count"/>) when it is empty) of
    /// <paramref name="input"/> unchanged, so a caller can share the input's buffers instead: an empty path to a variant
    /// type, a flat variant input, and every active non-NULL row holding a value the cast keeps (an object for
    /// <c>object</c>, an array for <c>array</c>, anything but a JSON null for <c>any</c>). Reads each row's value header only.
    /// </summary>
    public bool PassesThrough(ColumnVector input, int count, ReadOnlySpan<int> selection)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_path.Length != 0 || !Target.IsVariant || !input.Type.IsVariant || input.Encoding != VectorEncoding.Flat)
        {
            return false;
        }
        bool dense = selection.IsEmpty;
        for (int k = 0; k < count; k++)
        {
            int row = dense ? k : selection[k];
            if (input.IsNullAt(row))
            {
                continue;
            }
            VariantValue value = VariantValue.Parse(input.GetBytes(row));
            bool kept = Target.Id switch
            {
                TypeId.Object => value.Kind == VariantKind.Object,
                TypeId.Array => value.Kind == VariantKind.Array,
                _ => !value.IsNull,
            };
            if (!kept)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The same extraction for one variant row (metadata then value bytes, e.g. straight from a
    /// <see cref="Variants.VariantBuilder"/>) into row <paramref name="row"/> of <paramref name="output"/>, for sources
    /// that extract while they decode. Var-bytes outputs must be written in ascending row order.
    /// </summary>
    public void ExtractRow(ReadOnlySpan<byte> variantRow, ColumnVector output, int row)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (Target.Physical)
        {
            case PhysicalKind.Fixed64:
                WriteFixed64(variantRow, output, row);
                break;
            case PhysicalKind.Bool8:
                WriteBoolean(variantRow, output, row);
                break;
            default:
                WriteBytes(variantRow, output, row);
                break;
        }
    }

    /// <summary>
    /// <see cref="ExtractRow(ReadOnlySpan{byte}, ColumnVector, int)"/> for a row already parsed by
    /// <paramref name="rows"/> (<paramref name="root"/> is what <see cref="VariantRowReader.Read"/> returned for
    /// <paramref name="variantRow"/>), for callers that extract several paths per row: the row is not parsed again and
    /// the key ids are looked up again only when the reader's metadata version changes.
    /// </summary>
    public void ExtractRow(ReadOnlySpan<byte> variantRow, VariantValue root, VariantRowReader rows, ColumnVector output, int row)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);
        bool byId = _path.Length > 0 && _keyIds.Load(root, rows);
        bool found = TryResolve(root, byId, out VariantValue value);
        switch (Target.Physical)
        {
            case PhysicalKind.Fixed64:
                WriteFixed64(found, value, output, row);
                break;
            case PhysicalKind.Bool8:
                WriteBoolean(found, value, output, row);
                break;
            default:
                WriteBytes(found, value, variantRow, output, row);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteFixed64(ReadOnlySpan<byte> bytes, ColumnVector output, int row) =>
        WriteFixed64(TryResolve(bytes, out VariantValue value), value, output, row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteFixed64(bool found, VariantValue value, ColumnVector output, int row)
    {
        if (found && VariantCasts.TryCastFixed64(value, Target.Id, out long result))
        {
            output.GetData<long>()[row] = result;
        }
        else
        {
            output.Validity.SetNull(row, output.Capacity);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteBoolean(ReadOnlySpan<byte> bytes, ColumnVector output, int row) =>
        WriteBoolean(TryResolve(bytes, out VariantValue value), value, output, row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteBoolean(bool found, VariantValue value, ColumnVector output, int row)
    {
        if (found && VariantCasts.TryCastBoolean(value, out bool result))
        {
            output.GetData<byte>()[row] = result ? (byte)1 : (byte)0;
        }
        else
        {
            output.Validity.SetNull(row, output.Capacity);
        }
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes, ColumnVector output, int row) =>
        WriteBytes(TryResolve(bytes, out VariantValue value), value, bytes, output, row);

    /// <summary>Writes the resolved <paramref name="value"/> (or NULL when not <paramref name="found"/>); <paramref name="bytes"/> is the whole row.</summary>
    private void WriteBytes(bool found, VariantValue value, ReadOnlySpan<byte> bytes, ColumnVector output, int row)
    {
        if (!found)
        {
            output.Validity.SetNull(row, output.Capacity);
        }
        else if (Target.IsVariant)
        {
            // any keeps every value; array and object keep only values of their kind (Q19: else NULL).
            if ((Target.Id == TypeId.Array && value.Kind != VariantKind.Array) || (Target.Id == TypeId.Object && value.Kind != VariantKind.Object))
            {
                output.Validity.SetNull(row, output.Capacity);
            }
            else if (_path.Length == 0)
            {
                output.SetBytes(row, bytes);
            }
            else
            {
                _output.Reset();
                _output.WriteValue(value);
                _output.FinishInto(output, row);
            }
        }
        else if (!VariantCasts.TryCastString(value, output, row))
        {
            output.Validity.SetNull(row, output.Capacity);
        }
    }

    /// <summary>The value at the path, or false when the path is missing or ends on a JSON null (Q11).</summary>
    private bool TryResolve(ReadOnlySpan<byte> rowBytes, out VariantValue value)
    {
        VariantValue root = _rows.Read(rowBytes);
        return TryResolve(root, _path.Length > 0 && _keyIds.Load(root, _rows), out value);
    }

    /// <summary>The value at the path from <paramref name="root"/>; <paramref name="byId"/>: <see cref="_keyIds"/> hold the ids of its metadata.</summary>
    private bool TryResolve(VariantValue root, bool byId, out VariantValue value)
    {
        value = root;
        VariantBuilder mapped = _mappedA;
        for (int i = 0; i < _path.Length; i++)
        {
            VariantPathSegment step = _path[i];
            if (step.IsKey)
            {
                VariantKind kind = value.Kind;
                if (kind == VariantKind.Object)
                {
                    if (byId
                        ? _keyIds[i] < 0 || !value.TryGetFieldById(_keyIds[i], ref _fieldHints[i], out value)
                        : !value.TryGetField(step.Utf8Key.AsSpan(), out value))
                    {
                        return false;
                    }
                }
                else if (kind == VariantKind.Array)
                {
                    // Q9 builds a new array; alternate two builders so the current value stays readable while the next is written.
                    if (!VariantPath.TryGetKey(value, step.Utf8Key.AsSpan(), mapped))
                    {
                        return false;
                    }
                    value = VariantValue.Parse(mapped.Finish());
                    mapped = ReferenceEquals(mapped, _mappedA) ? _mappedB : _mappedA;
                    byId = false; // the mapped array has metadata of its own
                }
                else
                {
                    return false;
                }
            }
            else if (value.Kind != VariantKind.Array || !value.TryGetIndex(step.Index, out value))
            {
                return false;
            }
            if (value.IsNull)
            {
                return false;
            }
        }
        return !value.IsNull;
    }
}

/// <summary>
/// The <c>any -> T</c> scalar casts of one held variant value (Q19), span-based and allocation-free for the common
/// cases; the same conversions as the engine's scalar casts (scopeql.md §2.3), false where they are undefined or fail.
/// </summary>
public static class VariantCasts
{
    private const int StackTextLimit = 256;

    /// <summary>Cast to a Fixed64 type (int, uint, float as IEEE bits, timestamp, interval).</summary>
    public static bool TryCastFixed64(VariantValue value, TypeId target, out long result)
    {
        result = 0;
        switch (target)
        {
            case TypeId.Int:
                return TryCastInt(value, out result);
            case TypeId.UInt:
                bool uintOk = TryCastUInt(value, out ulong u);
                result = (long)u;
                return uintOk;
            case TypeId.Float:
                bool floatOk = TryCastFloat(value, out double d);
                result = BitConverter.DoubleToInt64Bits(d);
                return floatOk;
            case TypeId.Timestamp:
                return TryCastTimestamp(value, out result);
            case TypeId.Interval:
                return TryCastInterval(value, out result);
            default:
                return ThrowHelper.Throw<bool>(ErrorKind.Internal, $"{target} is not a Fixed64 type");
        }
    }

    public static bool TryCastInt(VariantValue value, out long result)
    {
        result = 0;
        switch (value.Kind)
        {
            case VariantKind.Int:
                result = value.GetInt64();
                return true;
            case VariantKind.UInt:
                ulong u = value.GetUInt64();
                result = (long)u;
                return u <= long.MaxValue;
            case VariantKind.Float:
                double d = value.GetDouble();
                if (!double.IsNaN(d) && d >= -9.223372036854775808e18 && d < 9.223372036854775808e18)
                {
                    result = (long)Math.Truncate(d);
                    return true;
                }
                return false;
            case VariantKind.Timestamp:
                result = value.GetTimestampNanos();
                return true;
            case VariantKind.Interval:
                result = value.GetIntervalNanos();
                return true;
            case VariantKind.String:
                return TryParseText(value.GetStringUtf8(), TypeId.Int, out result);
            default:
                return false;
        }
    }

    public static bool TryCastUInt(VariantValue value, out ulong result)
    {
        result = 0;
        switch (value.Kind)
        {
            case VariantKind.UInt:
                result = value.GetUInt64();
                return true;
            case VariantKind.Int:
                long l = value.GetInt64();
                result = (ulong)l;
                return l >= 0;
            case VariantKind.Float:
                double d = value.GetDouble();
                if (!double.IsNaN(d) && d > -1 && d < 1.8446744073709552e19)
                {
                    result = (ulong)Math.Truncate(d);
                    return true;
                }
                return false;
            case VariantKind.String:
                bool ok = TryParseText(value.GetStringUtf8(), TypeId.UInt, out long bits);
                result = (ulong)bits;
                return ok;
            default:
                return false;
        }
    }

    public static bool TryCastFloat(VariantValue value, out double result)
    {
        result = 0;
        switch (value.Kind)
        {
            case VariantKind.Float:
                result = value.GetDouble();
                return true;
            case VariantKind.Int:
                result = value.GetInt64();
                return true;
            case VariantKind.UInt:
                result = value.GetUInt64();
                return true;
            case VariantKind.String:
                bool ok = TryParseText(value.GetStringUtf8(), TypeId.Float, out long bits);
                result = BitConverter.Int64BitsToDouble(bits);
                return ok;
            default:
                return false;
        }
    }

    public static bool TryCastTimestamp(VariantValue value, out long result)
    {
        result = 0;
        switch (value.Kind)
        {
            case VariantKind.Timestamp:
                result = value.GetTimestampNanos();
                return true;
            case VariantKind.Int:
                result = value.GetInt64();
                return true;
            case VariantKind.String:
                return TryParseText(value.GetStringUtf8(), TypeId.Timestamp, out result);
            default:
                return false;
        }
    }

    public static bool TryCastInterval(VariantValue value, out long result)
    {
        result = 0;
        switch (value.Kind)
        {
            case VariantKind.Interval:
                result = value.GetIntervalNanos();
                return true;
            case VariantKind.Int:
                result = value.GetInt64();
                return true;
            case VariantKind.String:
                return TryParseText(value.GetStringUtf8(), TypeId.Interval, out result);
            default:
                return false;
        }
    }

    public static bool TryCastBoolean(VariantValue value, out bool result)
    {
        result = false;
        switch (value.Kind)
        {
            case VariantKind.Boolean:
                result = value.GetBoolean();
                return true;
            case VariantKind.String:
                bool ok = TryParseText(value.GetStringUtf8(), TypeId.Boolean, out long flag);
                result = flag != 0;
                return ok;
            default:
                return false;
        }
    }

    /// <summary>Writes the string cast of <paramref name="value"/> as row <paramref name="row"/> of <paramref name="output"/>.</summary>
    public static bool TryCastString(VariantValue value, ColumnVector output, int row)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (value.Kind)
        {
            case VariantKind.String:
                output.SetBytes(row, value.GetStringUtf8());
                return true;
            case VariantKind.Int:
                Span<byte> intText = output.BeginBytes(row, 20);
                Utf8Formatter.TryFormat(value.GetInt64(), intText, out int intLength);
                output.CommitBytes(row, intLength);
                return true;
            case VariantKind.UInt:
                Span<byte> uintText = output.BeginBytes(row, 20);
                Utf8Formatter.TryFormat(value.GetUInt64(), uintText, out int uintLength);
                output.CommitBytes(row, uintLength);
                return true;
            case VariantKind.Boolean:
                output.SetBytes(row, value.GetBoolean() ? "true"u8 : "false"u8);
                return true;
            // Rare in practice: these go through the shared formatters' string forms.
            case VariantKind.Float:
                SetText(output, row, FloatFormat.Format(value.GetDouble()));
                return true;
            case VariantKind.Timestamp:
                SetText(output, row, TimestampFormat.Format(value.GetTimestampNanos()));
                return true;
            case VariantKind.Interval:
                SetText(output, row, IntervalFormat.Format(value.GetIntervalNanos()));
                return true;
            default:
                return false;
        }
    }

    private static void SetText(ColumnVector output, int row, string text)
    {
        Span<byte> utf8 = output.BeginBytes(row, Encoding.UTF8.GetMaxByteCount(text.Length));
        output.CommitBytes(row, Encoding.UTF8.GetBytes(text, utf8));
    }

    /// <summary>String → scalar as the engine's casts do it: trimmed, invariant culture; float/boolean results as bits/0-1.</summary>
    /// <remarks>
    /// Runs per row (e.g. every ingested timestamp): the stack buffer is not zeroed, only its decoded prefix is read.
    /// </remarks>
    [SkipLocalsInit]
    private static bool TryParseText(ReadOnlySpan<byte> utf8, TypeId target, out long result)
    {
        result = 0;
        int maxChars = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        Span<char> buffer = maxChars <= StackTextLimit ? stackalloc char[StackTextLimit] : new char[maxChars];
        int length = Encoding.UTF8.GetChars(utf8, buffer);
        ReadOnlySpan<char> text = buffer[..length].Trim();
        switch (target)
        {
            case TypeId.Int:
                return ScalarText.TryParseInt(text, out result);
            case TypeId.UInt:
                bool uintOk = ScalarText.TryParseUInt(text, out ulong u);
                result = (long)u;
                return uintOk;
            case TypeId.Float:
                bool floatOk = ScalarText.TryParseFloat(text, out double d);
                result = BitConverter.DoubleToInt64Bits(d);
                return floatOk;
            case TypeId.Boolean:
                bool booleanOk = ScalarText.TryParseBoolean(text, out bool flag);
                result = flag ? 1 : 0;
                return booleanOk;
            case TypeId.Timestamp:
                return TimestampFormat.TryParse(text, out result);
            case TypeId.Interval:
                return IntervalFormat.TryParse(text, out result);
            default:
                return false;
        }
    }
}
