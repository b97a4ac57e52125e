using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using Analytics.Arrow.Arrays;
using Analytics.Arrow.Types;
using Analytics.Vector.Batches;
using Analytics.Vector.Types;
using Analytics.Vector.Variants;
using Analytics.Vector.Vectors;

namespace Analytics.Arrow.Conversion;

/// <summary>
/// Our batches as Arrow record batches. Types: int → int64, uint → uint64, float → float64, boolean → bool,
/// string → utf8 (utf8_view with <paramref name="stringsAsView"/>), binary → binary, timestamp → timestamp[ns, UTC],
/// interval → duration[ns], any/array/object → the <c>arrow.parquet.variant</c> extension
/// (<c>struct&lt;metadata: binary not null, value: binary not null&gt;</c>, plus <c>scopeql:type</c> field metadata
/// naming which of the three it was), null → null. A flat fixed-width column without a selection is exported without
/// copying its values: the Arrow values buffer is the vector's own buffer, so the batch must stay untouched until
/// the Arrow batch has been written.
/// </summary>
public static class ArrowExport
{
    public const string VariantExtensionName = "arrow.parquet.variant";
    public const string JsonExtensionName = "arrow.json";

    /// <summary>Field metadata key recording the ScopeQL type of a variant column (any, array or object).</summary>
    public const string ScopeQlTypeKey = "scopeql:type";

    public static ArrowSchema ToArrowSchema(BatchSchema schema, bool stringsAsView = false)
    {
        var fields = new ArrowField[schema.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = ToArrowField(schema[i], stringsAsView);
        }
        return new ArrowSchema(fields);
    }

    private static ArrowField ToArrowField(Field field, bool stringsAsView)
    {
        bool nullable = field.Nullable;
        switch (field.Type.Id)
        {
            case TypeId.Null:
                return new ArrowField(field.Name, ArrowType.Null, true);
            case TypeId.Boolean:
                return new ArrowField(field.Name, ArrowType.Bool, nullable);
            case TypeId.Int:
                return new ArrowField(field.Name, ArrowType.Int64, nullable);
            case TypeId.UInt:
                return new ArrowField(field.Name, ArrowType.UInt64, nullable);
            case TypeId.Float:
                return new ArrowField(field.Name, ArrowType.Float64, nullable);
            case TypeId.String:
                return new ArrowField(field.Name, stringsAsView ? ArrowType.Utf8View : ArrowType.Utf8, nullable);
            case TypeId.Binary:
                return new ArrowField(field.Name, ArrowType.Binary, nullable);
            case TypeId.Timestamp:
                return new ArrowField(field.Name, ArrowType.Timestamp(ArrowTimeUnit.Nanosecond, "UTC"), nullable);
            case TypeId.Interval:
                return new ArrowField(field.Name, ArrowType.Duration(ArrowTimeUnit.Nanosecond), nullable);
            default:
                return new ArrowField(field.Name, ArrowType.Struct, nullable)
                {
                    Children = [new ArrowField("metadata", ArrowType.Binary, false), new ArrowField("value", ArrowType.Binary, false)],
                    Metadata =
                    [
                        new(ArrowField.ExtensionNameKey, VariantExtensionName),
                        new(ArrowField.ExtensionMetadataKey, ""),
                        new(ScopeQlTypeKey, field.Type.Name),
                    ],
                };
        }
    }

    /// <summary>The active rows of <paramref name="batch"/> as an Arrow record batch of <paramref name="schema"/> (from <see cref="ToArrowSchema"/>).</summary>
    public static ArrowRecordBatch ToArrow(Batch batch, ArrowSchema schema)
    {
        var columns = new ArrowArray[batch.Columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            columns[c] = ToArrowArray(batch, batch.Columns[c], schema.Fields[c].Type);
        }
        return new ArrowRecordBatch(schema, batch.Count, columns);
    }

    private static ArrowArray ToArrowArray(Batch batch, ColumnVector column, ArrowType arrowType)
    {
        int rows = batch.Count;
        LogicalType type = column.Type;
        if (type.Id == TypeId.Null || arrowType.Id == ArrowTypeId.Null)
        {
            return new ArrowArray(ArrowType.Null, rows, rows, 0, []);
        }
        bool dense = batch.Selection is null && column.Encoding == VectorEncoding.Flat;
        (ReadOnlyMemory<byte> validity, int nulls) = Validity(batch, column, dense);
        switch (type.Physical)
        {
            case PhysicalKind.Fixed64:
                if (dense)
                {
                    // Zero copy: the vector's buffer is the Arrow values buffer.
                    var memory = new AlignedBufferMemory(column.DataBuffer!, rows * sizeof(long));
                    return new ArrowArray(arrowType, rows, nulls, 0, [validity, memory.Memory]);
                }
                return new ArrowArray(arrowType, rows, nulls, 0, [validity, GatherFixed64(batch, column)]);
            case PhysicalKind.Bool8:
                return new ArrowArray(arrowType, rows, nulls, 0, [validity, PackBooleans(batch, column)]);
            default:
                if (type.IsVariant)
                {
                    return VariantStruct(batch, column, validity, nulls);
                }
                if (arrowType.Id == ArrowTypeId.Utf8View)
                {
                    return Views(batch, column, arrowType, validity, nulls);
                }
                return dense
                    ? DenseVarBytes(column, rows, arrowType, validity, nulls)
                    : VarBytes(batch, column, arrowType, validity, nulls);
        }
    }

    /// <summary>The source vector and row that hold logical row <paramref name="i"/> (resolving selection, constant and dictionary).</summary>
    private static (ColumnVector Source, int Row) Resolve(Batch batch, ColumnVector column, int i)
    {
        int row = batch.RowAt(i);
        return column.Encoding switch
        {
            VectorEncoding.Constant => (column, 0),
            VectorEncoding.Dictionary => (column.Dictionary!, column.Codes[row]),
            _ => (column, row),
        };
    }

    private static (ReadOnlyMemory<byte> Validity, int Nulls) Validity(Batch batch, ColumnVector column, bool dense)
    {
        int rows = batch.Count;
        if (dense)
        {
            if (column.Validity.AllValid)
            {
                return (ReadOnlyMemory<byte>.Empty, 0);
            }
            ReadOnlySpan<ulong> words = column.Validity.Words[..ValidityMask.WordCount(rows)];
            int valid = 0;
            for (int w = 0; w < words.Length; w++)
            {
                ulong word = w == words.Length - 1 && (rows & 63) != 0 ? words[w] & ((1UL << (rows & 63)) - 1) : words[w];
                valid += BitOperations.PopCount(word);
            }
            // Our mask is LSB-first 64-bit words: byte for byte the Arrow bitmap on little-endian hardware.
            return rows - valid == 0
                ? (ReadOnlyMemory<byte>.Empty, 0)
                : (MemoryMarshal.AsBytes(words).ToArray(), rows - valid);
        }
        byte[] bits = new byte[(rows + 7) / 8];
        int nulls = 0;
        for (int i = 0; i < rows; i++)
        {
            if (column.IsNullAt(batch.RowAt(i)))
            {
                nulls++;
            }
            else
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
        return nulls == 0 ? (ReadOnlyMemory<byte>.Empty, 0) : (bits, nulls);
    }

    private static byte[] GatherFixed64(Batch batch, ColumnVector column)
    {
        byte[] values = new byte[batch.Count * sizeof(long)];
        Span<long> target = MemoryMarshal.Cast<byte, long>(values.AsSpan());
        for (int i = 0; i < target.Length; i++)
        {
            (ColumnVector source, int row) = Resolve(batch, column, i);
            target[i] = source.GetData<long>()[row];
        }
        return values;
    }

    private static byte[] PackBooleans(Batch batch, ColumnVector column)
    {
        byte[] bits = new byte[(batch.Count + 7) / 8];
        for (int i = 0; i < batch.Count; i++)
        {
            (ColumnVector source, int row) = Resolve(batch, column, i);
            if (source.GetData<byte>()[row] != 0)
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
        return bits;
    }

    /// <summary>A flat var-bytes vector already has Arrow's layout (int32 offsets from 0 over a heap): two block copies.</summary>
    private static ArrowArray DenseVarBytes(ColumnVector column, int rows, ArrowType arrowType, ReadOnlyMemory<byte> validity, int nulls)
    {
        ReadOnlySpan<int> offsets = column.Offsets[..(rows + 1)];
        byte[] data = column.Heap[..offsets[rows]].ToArray();
        return new ArrowArray(arrowType, rows, nulls, 0, [validity, MemoryMarshal.AsBytes(offsets).ToArray(), data]);
    }

    private static ArrowArray VarBytes(Batch batch, ColumnVector column, ArrowType arrowType, ReadOnlyMemory<byte> validity, int nulls)
    {
        int rows = batch.Count;
        int[] offsets = new int[rows + 1];
        var data = new ArrayBufferWriter<byte>(Math.Max(256, column.HeapLength));
        for (int i = 0; i < rows; i++)
        {
            if (!column.IsNullAt(batch.RowAt(i)))
            {
                (ColumnVector source, int row) = Resolve(batch, column, i);
                data.Write(source.GetBytes(row));
            }
            offsets[i + 1] = data.WrittenCount;
        }
        return new ArrowArray(arrowType, rows, nulls, 0, [validity, MemoryMarshal.AsBytes(offsets.AsSpan()).ToArray(), data.WrittenMemory]);
    }

    private static ArrowArray Views(Batch batch, ColumnVector column, ArrowType arrowType, ReadOnlyMemory<byte> validity, int nulls)
    {
        int rows = batch.Count;
        byte[] views = new byte[rows * 16];
        var data = new ArrayBufferWriter<byte>(Math.Max(256, column.HeapLength));
        for (int i = 0; i < rows; i++)
        {
            if (column.IsNullAt(batch.RowAt(i)))
            {
                continue;
            }
            (ColumnVector source, int row) = Resolve(batch, column, i);
            ReadOnlySpan<byte> value = source.GetBytes(row);
            Span<byte> view = views.AsSpan(i * 16, 16);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(view, value.Length);
            if (value.Length <= 12)
            {
                value.CopyTo(view[4..]);
            }
            else
            {
                value[..4].CopyTo(view[4..]);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(view[8..], 0);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(view[12..], data.WrittenCount);
                data.Write(value);
            }
        }
        return new ArrowArray(arrowType, rows, nulls, 0, [validity, views, data.WrittenMemory]);
    }

    /// <summary>Our variant rows are metadata immediately followed by the value; Arrow keeps the two in separate children.</summary>
    private static ArrowArray VariantStruct(Batch batch, ColumnVector column, ReadOnlyMemory<byte> validity, int nulls)
    {
        int rows = batch.Count;
        int[] metadataOffsets = new int[rows + 1];
        int[] valueOffsets = new int[rows + 1];
        var metadata = new ArrayBufferWriter<byte>();
        var values = new ArrayBufferWriter<byte>();
        for (int i = 0; i < rows; i++)
        {
            if (!column.IsNullAt(batch.RowAt(i)))
            {
                (ColumnVector source, int row) = Resolve(batch, column, i);
                ReadOnlySpan<byte> bytes = source.GetBytes(row);
                int split = VariantValue.Parse(bytes).Metadata.Length;
                metadata.Write(bytes[..split]);
                values.Write(bytes[split..]);
            }
            metadataOffsets[i + 1] = metadata.WrittenCount;
            valueOffsets[i + 1] = values.WrittenCount;
        }
        var metadataArray = new ArrowArray(ArrowType.Binary, rows, 0, 0,
            [ReadOnlyMemory<byte>.Empty, MemoryMarshal.AsBytes(metadataOffsets.AsSpan()).ToArray(), metadata.WrittenMemory]);
        var valueArray = new ArrowArray(ArrowType.Binary, rows, 0, 0,
            [ReadOnlyMemory<byte>.Empty, MemoryMarshal.AsBytes(valueOffsets.AsSpan()).ToArray(), values.WrittenMemory]);
        return new ArrowArray(ArrowType.Struct, rows, nulls, 0, [validity], [metadataArray, valueArray]);
    }
}
