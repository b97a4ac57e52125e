using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Types;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Arrow.Conversion;

/// <summary>
/// Arrow record batches as our batches. Type mapping: int8–int64 and uint8–uint32 → int; uint64 → uint;
/// float16/32/64 → float; bool → boolean; utf8, large_utf8, utf8_view → string; binary, large_binary, binary_view,
/// fixed_size_binary → binary; timestamp (any unit; with a time zone the value is an instant, without one the wall
/// clock is read as UTC) and date32/64 → timestamp; time32/64 and duration → interval; decimal32/64/128 → string
/// holding the exact decimal text (a float would lose digits beyond 15–17); list, large_list, fixed_size_list →
/// array; struct and map → object; dictionary-encoded anything → its value type; null → null;
/// <c>arrow.json</c> → any (parsed); <c>arrow.parquet.variant</c> → any (or the type its <c>scopeql:type</c>
/// metadata names). Anything else is <c>Arrow Error: unsupported Arrow type …</c>.
/// </summary>
public sealed class ArrowImport
{
    private readonly VariantBuilder _variant = new();
    private byte[] _scratch = new byte[256];

    public static BatchSchema ToBatchSchema(ArrowSchema schema)
    {
        var fields = new Field[schema.Fields.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            ArrowField field = schema.Fields[i];
            fields[i] = new Field(field.Name, MapType(field), field.Nullable || field.Type.Id == ArrowTypeId.Null);
        }
        return new BatchSchema(fields);
    }

    /// <summary>Our type for an Arrow field (see the class summary), or an <c>Arrow Error</c> naming the unsupported type.</summary>
    public static LogicalType MapType(ArrowField field)
    {
        string? extension = field.ExtensionName;
        if (string.Equals(extension, ArrowExport.VariantExtensionName, StringComparison.Ordinal))
        {
            CheckVariantStorage(field);
            foreach (KeyValuePair<string, string> pair in field.Metadata)
            {
                if (string.Equals(pair.Key, ArrowExport.ScopeQlTypeKey, StringComparison.Ordinal) &&
                    LogicalType.TryParse(pair.Value, out LogicalType declared) && declared.IsVariant)
                {
                    return declared;
                }
            }
            return LogicalType.Any;
        }
        if (string.Equals(extension, ArrowExport.JsonExtensionName, StringComparison.Ordinal) &&
            field.Type.Id is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Utf8View)
        {
            return LogicalType.Any;
        }
        ArrowType type = field.Type;
        switch (type.Id)
        {
            case ArrowTypeId.Null:
                return LogicalType.Null;
            case ArrowTypeId.Bool:
                return LogicalType.Boolean;
            case ArrowTypeId.Int:
                return type.BitWidth == 64 && !type.IsSigned ? LogicalType.UInt : LogicalType.Int;
            case ArrowTypeId.FloatingPoint:
                return LogicalType.Float;
            case ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Utf8View:
                return LogicalType.String;
            case ArrowTypeId.Binary or ArrowTypeId.LargeBinary or ArrowTypeId.BinaryView or ArrowTypeId.FixedSizeBinary:
                return LogicalType.Binary;
            case ArrowTypeId.Timestamp or ArrowTypeId.Date:
                return LogicalType.Timestamp;
            case ArrowTypeId.Time or ArrowTypeId.Duration:
                return LogicalType.Interval;
            case ArrowTypeId.Decimal when type.BitWidth is 32 or 64 or 128:
                return LogicalType.String;
            case ArrowTypeId.List or ArrowTypeId.LargeList or ArrowTypeId.FixedSizeList:
                CheckChildren(field);
                return LogicalType.Array;
            case ArrowTypeId.Struct or ArrowTypeId.Map:
                CheckChildren(field);
                return LogicalType.Object;
            default:
                ArrowErrors.Unsupported($"unsupported Arrow type {field.TypeDescription} in column '{field.Name}'");
                return default;
        }
    }

    private static void CheckChildren(ArrowField field)
    {
        foreach (ArrowField child in field.Children)
        {
            if (!string.Equals(child.ExtensionName, ArrowExport.VariantExtensionName, StringComparison.Ordinal))
            {
                MapType(child with { Name = field.Name + "." + child.Name });
            }
        }
    }

    private static void CheckVariantStorage(ArrowField field)
    {
        if (field.Type.Id != ArrowTypeId.Struct || VariantChild(field, "metadata") < 0 || VariantChild(field, "value") < 0)
        {
            ArrowErrors.Unsupported($"column '{field.Name}': arrow.parquet.variant needs struct<metadata: binary, value: binary> storage (shredded typed_value is not supported)");
        }
    }

    private static int VariantChild(ArrowField field, string name)
    {
        for (int i = 0; i < field.Children.Count; i++)
        {
            if (string.Equals(field.Children[i].Name, name, StringComparison.Ordinal) &&
                field.Children[i].Type.Id is ArrowTypeId.Binary or ArrowTypeId.LargeBinary or ArrowTypeId.BinaryView)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// Converts rows <c>[start, start + count)</c> of <paramref name="source"/> into <paramref name="destination"/>
    /// (reset first; <paramref name="count"/> at most <see cref="Batch.Capacity"/>), whose columns are the source
    /// columns <paramref name="columnMap"/> names (all columns in order when null). A 64-bit fixed-width column whose
    /// values are a vector buffer exported by <see cref="ArrowExport"/> is taken over without copying.
    /// </summary>
    public void Fill(ArrowRecordBatch source, int start, int count, Batch destination, int[]? columnMap = null)
    {
        destination.Reset();
        for (int c = 0; c < destination.Columns.Length; c++)
        {
            int sourceColumn = columnMap is null ? c : columnMap[c];
            ArrowField field = source.Schema.Fields[sourceColumn];
            FillColumn(source.Columns[sourceColumn], field, start, count, destination.Columns[c]);
        }
        destination.SetCount(count);
    }

    private void FillColumn(ArrowArray array, ArrowField field, int start, int count, ColumnVector column)
    {
        LogicalType type = column.Type;
        if (type.Id == TypeId.Null)
        {
            for (int i = 0; i < count; i++)
            {
                column.Validity.SetNull(i, column.Capacity);
            }
            return;
        }
        if (array.NullCount > 0)
        {
            for (int i = 0; i < count; i++)
            {
                if (!array.IsValid(start + i))
                {
                    column.Validity.SetNull(i, column.Capacity);
                }
            }
        }
        if (type.Physical == PhysicalKind.Fixed64 && field.Dictionary is null && TryFillFixed64(array, start, count, column))
        {
            return;
        }
        if (type.IsVariant)
        {
            FillVariant(array, field, start, count, column);
            return;
        }
        // Dictionary columns read their values from the dictionary: resolve the value field once, indices per row.
        ArrowDictionaryEncoding? encoding = field.Dictionary;
        ArrowArray values = encoding is null ? array : array.Dictionary!;
        ArrowField valueField = encoding is null ? field : field with { Dictionary = null };
        switch (type.Id)
        {
            case TypeId.Boolean:
            {
                Span<byte> target = column.GetData<byte>();
                ReadOnlySpan<byte> bits = values.Buffers[1].Span;
                for (int i = 0; i < count; i++)
                {
                    if (array.IsValid(start + i))
                    {
                        int bit = values.Offset + ValueIndex(array, encoding, start + i);
                        target[i] = (byte)((bits[bit >> 3] >> (bit & 7)) & 1);
                    }
                }
                break;
            }
            case TypeId.String when valueField.Type.Id == ArrowTypeId.Decimal:
                for (int i = 0; i < count; i++)
                {
                    if (array.IsValid(start + i))
                    {
                        column.SetBytes(i, Encoding.ASCII.GetBytes(DecimalText(values, valueField.Type, ValueIndex(array, encoding, start + i))));
                    }
                }
                break;
            case TypeId.String or TypeId.Binary:
                for (int i = 0; i < count; i++)
                {
                    if (array.IsValid(start + i))
                    {
                        column.SetBytes(i, values.GetBytes(ValueIndex(array, encoding, start + i)));
                    }
                }
                break;
            default:
            {
                Span<long> target = column.GetData<long>();
                for (int i = 0; i < count; i++)
                {
                    if (array.IsValid(start + i))
                    {
                        target[i] = ReadInt64Value(values, valueField, ValueIndex(array, encoding, start + i), type);
                    }
                }
                break;
            }
        }
    }

    /// <summary>The index into the values of element <paramref name="index"/>: itself, or its dictionary index.</summary>
    private static int ValueIndex(ArrowArray array, ArrowDictionaryEncoding? encoding, int index) => encoding is null
        ? index
        : (int)ArrowIpcReader.ReadIndex(array.Buffers[1].Span, array.Offset + index, encoding.IndexType.BitWidth / 8, encoding.IndexType.IsSigned);

    /// <summary>The array, field and index that hold element <paramref name="index"/>, looking through a dictionary.</summary>
    private static (ArrowArray Values, ArrowField Field, int Index) Dereference(ArrowArray array, ArrowField field, int index)
    {
        if (field.Dictionary is not { } encoding)
        {
            return (array, field, index);
        }
        return (array.Dictionary!, field with { Dictionary = null }, ValueIndex(array, encoding, index));
    }

    /// <summary>Same-width copies (or a zero-copy takeover) for int64/uint64/float64 and 64-bit nanosecond temporal columns.</summary>
    private static bool TryFillFixed64(ArrowArray array, int start, int count, ColumnVector column)
    {
        ArrowType type = array.Type;
        bool sameLayout = type.Id switch
        {
            ArrowTypeId.Int => type.BitWidth == 64,
            ArrowTypeId.FloatingPoint => type.Precision == ArrowFloatPrecision.Double,
            ArrowTypeId.Timestamp or ArrowTypeId.Duration => type.Unit == ArrowTimeUnit.Nanosecond,
            ArrowTypeId.Time => type.Unit == ArrowTimeUnit.Nanosecond,
            _ => false,
        };
        if (!sameLayout)
        {
            return false;
        }
        int first = array.Offset + start;
        ReadOnlyMemory<byte> values = array.Buffers[1];
        if (first == 0 && array.NullCount == 0 &&
            MemoryMarshal.TryGetMemoryManager(values, out AlignedBufferMemory? manager, out int managerStart, out _) &&
            managerStart == 0 && manager.Buffer.CapacityBytes >= column.Capacity * sizeof(long))
        {
            column.ReferenceData(manager.Buffer);
            return true;
        }
        MemoryMarshal.Cast<byte, long>(values.Span.Slice(first * sizeof(long), count * sizeof(long))).CopyTo(column.GetData<long>());
        return true;
    }

    private static long ReadInt64Value(ArrowArray values, ArrowField field, int index, LogicalType target)
    {
        ArrowType type = field.Type;
        ReadOnlySpan<byte> bytes = values.FixedValue(index, type.FixedWidthBytes);
        switch (type.Id)
        {
            case ArrowTypeId.Int:
                return type.BitWidth switch
                {
                    8 => type.IsSigned ? (sbyte)bytes[0] : bytes[0],
                    16 => type.IsSigned ? BinaryPrimitives.ReadInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                    32 => type.IsSigned ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                    _ => BinaryPrimitives.ReadInt64LittleEndian(bytes),
                };
            case ArrowTypeId.FloatingPoint:
            {
                double value = type.Precision switch
                {
                    ArrowFloatPrecision.Half => (double)BinaryPrimitives.ReadHalfLittleEndian(bytes),
                    ArrowFloatPrecision.Single => BinaryPrimitives.ReadSingleLittleEndian(bytes),
                    _ => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
                };
                return BitConverter.DoubleToInt64Bits(value);
            }
            case ArrowTypeId.Date:
                return type.DateUnit == ArrowDateUnit.Day
                    ? ToNanos(BinaryPrimitives.ReadInt32LittleEndian(bytes), 86_400_000_000_000L, field)
                    : ToNanos(BinaryPrimitives.ReadInt64LittleEndian(bytes), 1_000_000L, field);
            case ArrowTypeId.Time:
            {
                long raw = type.BitWidth == 32 ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : BinaryPrimitives.ReadInt64LittleEndian(bytes);
                return ToNanos(raw, UnitNanos(type.Unit), field);
            }
            case ArrowTypeId.Timestamp or ArrowTypeId.Duration:
                return ToNanos(BinaryPrimitives.ReadInt64LittleEndian(bytes), UnitNanos(type.Unit), field);
            default:
                ArrowErrors.Unsupported($"cannot read Arrow {type} as {target} (column '{field.Name}')");
                return 0;
        }
    }

    private static long UnitNanos(ArrowTimeUnit unit) => unit switch
    {
        ArrowTimeUnit.Second => 1_000_000_000L,
        ArrowTimeUnit.Millisecond => 1_000_000L,
        ArrowTimeUnit.Microsecond => 1_000L,
        _ => 1L,
    };

    private static long ToNanos(long value, long factor, ArrowField field)
    {
        if (factor != 1 && (value > long.MaxValue / factor || value < long.MinValue / factor))
        {
            ArrowErrors.Unsupported($"value {value} of column '{field.Name}' ({field.Type}) is out of range for nanoseconds");
        }
        return value * factor;
    }

    /// <summary>The exact decimal text of a decimal32/64/128 value (two's complement, little-endian).</summary>
    internal static string DecimalText(ArrowArray values, ArrowType type, int index)
    {
        ReadOnlySpan<byte> bytes = values.FixedValue(index, type.BitWidth / 8);
        Int128 unscaled = type.BitWidth switch
        {
            32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            64 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            _ => BinaryPrimitives.ReadInt128LittleEndian(bytes),
        };
        bool negative = unscaled < 0;
        string digits = (negative ? -unscaled : unscaled).ToString(CultureInfo.InvariantCulture);
        int scale = type.DecimalScale;
        if (scale > 0)
        {
            digits = digits.PadLeft(scale + 1, '0');
            digits = digits[..^scale] + "." + digits[^scale..];
        }
        else if (scale < 0)
        {
            digits += new string('0', -scale);
        }
        return negative ? "-" + digits : digits;
    }

    // ---- variant targets (any, array, object) ------------------------------------------------------------------

    private void FillVariant(ArrowArray array, ArrowField field, int start, int count, ColumnVector column)
    {
        string? extension = field.ExtensionName;
        for (int i = 0; i < count; i++)
        {
            if (!array.IsValid(start + i))
            {
                continue;
            }
            if (string.Equals(extension, ArrowExport.VariantExtensionName, StringComparison.Ordinal))
            {
                column.SetBytes(i, VariantRow(array, field, start + i));
                continue;
            }
            if (string.Equals(extension, ArrowExport.JsonExtensionName, StringComparison.Ordinal))
            {
                (ArrowArray values, ArrowField _, int index) = Dereference(array, field, start + i);
                if (!VariantJson.TryParseRow(values.GetBytes(index), _variant, column, i, out VariantJsonError error))
                {
                    ArrowErrors.Unsupported($"column '{field.Name}' row {start + i}: invalid arrow.json value ({error})");
                }
                continue;
            }
            _variant.Reset();
            WriteVariant(array, field, start + i);
            _variant.FinishInto(column, i);
        }
    }

    /// <summary>One arrow.parquet.variant element as our row bytes (metadata immediately followed by the value).</summary>
    private ReadOnlySpan<byte> VariantRow(ArrowArray array, ArrowField field, int index)
    {
        int element = array.Offset + index;
        ReadOnlySpan<byte> metadata = array.Children[VariantChild(field, "metadata")].GetBytes(element);
        ReadOnlySpan<byte> value = array.Children[VariantChild(field, "value")].GetBytes(element);
        int length = metadata.Length + value.Length;
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }
        metadata.CopyTo(_scratch);
        value.CopyTo(_scratch.AsSpan(metadata.Length));
        ReadOnlySpan<byte> row = _scratch.AsSpan(0, length);
        _ = VariantValue.Parse(row); // validates the metadata header before the bytes enter a vector
        return row;
    }

    /// <summary>Writes element <paramref name="index"/> of any supported Arrow array as a variant value.</summary>
    private void WriteVariant(ArrowArray array, ArrowField field, int index)
    {
        if (!array.IsValid(index))
        {
            _variant.WriteNull();
            return;
        }
        (ArrowArray values, ArrowField valueField, int i) = Dereference(array, field, index);
        string? extension = valueField.ExtensionName;
        if (string.Equals(extension, ArrowExport.VariantExtensionName, StringComparison.Ordinal))
        {
            CheckVariantStorage(valueField);
            _variant.WriteValue(VariantValue.Parse(VariantRow(values, valueField, i)));
            return;
        }
        ArrowType type = valueField.Type;
        switch (type.Id)
        {
            case ArrowTypeId.Null:
                _variant.WriteNull();
                break;
            case ArrowTypeId.Bool:
            {
                int bit = values.Offset + i;
                _variant.WriteBoolean(((values.Buffers[1].Span[bit >> 3] >> (bit & 7)) & 1) != 0);
                break;
            }
            case ArrowTypeId.Int when type.BitWidth == 64 && !type.IsSigned:
                _variant.WriteUInt64(BinaryPrimitives.ReadUInt64LittleEndian(values.FixedValue(i, 8)));
                break;
            case ArrowTypeId.Int:
                _variant.WriteInt64(ReadInt64Value(values, valueField, i, LogicalType.Int));
                break;
            case ArrowTypeId.FloatingPoint:
                _variant.WriteDouble(BitConverter.Int64BitsToDouble(ReadInt64Value(values, valueField, i, LogicalType.Float)));
                break;
            case ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Utf8View:
                _variant.WriteString(values.GetBytes(i));
                break;
            case ArrowTypeId.Binary or ArrowTypeId.LargeBinary or ArrowTypeId.BinaryView or ArrowTypeId.FixedSizeBinary:
                _variant.WriteBinary(values.GetBytes(i));
                break;
            case ArrowTypeId.Timestamp or ArrowTypeId.Date:
                _variant.WriteTimestamp(ReadInt64Value(values, valueField, i, LogicalType.Timestamp));
                break;
            case ArrowTypeId.Time or ArrowTypeId.Duration:
                _variant.WriteInterval(ReadInt64Value(values, valueField, i, LogicalType.Interval));
                break;
            case ArrowTypeId.Decimal:
                _variant.WriteString(DecimalText(values, type, i).AsSpan());
                break;
            case ArrowTypeId.List or ArrowTypeId.LargeList or ArrowTypeId.FixedSizeList:
            {
                (int childStart, int childEnd) = values.ListRange(i);
                _variant.StartArray();
                for (int c = childStart; c < childEnd; c++)
                {
                    WriteVariant(values.Children[0], valueField.Children[0], c);
                }
                _variant.EndArray();
                break;
            }
            case ArrowTypeId.Struct:
                _variant.StartObject();
                for (int c = 0; c < valueField.Children.Count; c++)
                {
                    _variant.WriteKey(valueField.Children[c].Name.AsSpan());
                    WriteVariant(values.Children[c], valueField.Children[c], values.Offset + i);
                }
                _variant.EndObject();
                break;
            case ArrowTypeId.Map:
            {
                (int childStart, int childEnd) = values.ListRange(i);
                ArrowArray entries = values.Children[0];
                ArrowField entriesField = valueField.Children[0];
                _variant.StartObject();
                for (int c = childStart; c < childEnd; c++)
                {
                    _variant.WriteKey(MapKey(entries.Children[0], entriesField.Children[0], entries.Offset + c).AsSpan());
                    WriteVariant(entries.Children[1], entriesField.Children[1], entries.Offset + c);
                }
                _variant.EndObject();
                break;
            }
            default:
                ArrowErrors.Unsupported($"unsupported Arrow type {valueField.TypeDescription} in column '{valueField.Name}'");
                break;
        }
    }

    /// <summary>Object keys are text: string keys as they are, other scalar keys in their invariant text form.</summary>
    private static string MapKey(ArrowArray keys, ArrowField field, int index)
    {
        (ArrowArray values, ArrowField valueField, int i) = Dereference(keys, field, index);
        ArrowType type = valueField.Type;
        return type.Id switch
        {
            ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Utf8View => Encoding.UTF8.GetString(values.GetBytes(i)),
            ArrowTypeId.Int when type.BitWidth == 64 && !type.IsSigned =>
                BinaryPrimitives.ReadUInt64LittleEndian(values.FixedValue(i, 8)).ToString(CultureInfo.InvariantCulture),
            ArrowTypeId.Int => ReadInt64Value(values, valueField, i, LogicalType.Int).ToString(CultureInfo.InvariantCulture),
            ArrowTypeId.Decimal => DecimalText(values, type, i),
            _ => ArrowErrors.Unsupported<string>($"map keys of type {type} in column '{field.Name}' are not supported"),
        };
    }
}
