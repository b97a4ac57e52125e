using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Analytics.Errors;
using Analytics.Vector.Types;
using Analytics.Vector.Vectors;

namespace Analytics.Engine.Storage;

/// <summary>
/// The private on-disk form of one row group (little-endian): magic <c>ARG1</c>, row count, column count, then per
/// column its type id, layout, optional validity words and data, and the trailer magic <c>END1</c> (a file without
/// it is torn and rejected). Statistics are recomputed on load.
/// </summary>
internal static class RowGroupFile
{
    private const uint Magic = 0x31475241;   // "ARG1"
    private const uint Trailer = 0x31444E45; // "END1"

    private enum Layout : byte { None, Fixed, Bools, Flat, Dictionary }

    public static void Write(Stream stream, RowGroup group)
    {
        using BinaryWriter writer = new(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(group.RowCount);
        writer.Write(group.Columns.Length);
        foreach (ColumnChunk chunk in group.Columns)
        {
            writer.Write((byte)chunk.Type.Id);
            Layout layout = chunk.IsDictionary ? Layout.Dictionary : chunk.Fixed is not null ? Layout.Fixed
                : chunk.Bools is not null ? Layout.Bools : chunk.Offsets is not null ? Layout.Flat : Layout.None;
            writer.Write((byte)layout);
            writer.Write(chunk.ValidWords is not null);
            if (chunk.ValidWords is not null)
            {
                writer.Write(MemoryMarshal.AsBytes(chunk.ValidWords.AsSpan()));
            }
            switch (layout)
            {
                case Layout.Fixed:
                    writer.Write(MemoryMarshal.AsBytes(chunk.Fixed.AsSpan()));
                    break;
                case Layout.Bools:
                    writer.Write(chunk.Bools!);
                    break;
                case Layout.Flat:
                    WriteVarBytes(writer, chunk.Offsets!, chunk.Heap!);
                    break;
                case Layout.Dictionary:
                    ColumnVector dictionary = chunk.Dictionary!;
                    int count = DictionarySize(chunk);
                    writer.Write(count);
                    writer.Write(MemoryMarshal.AsBytes(dictionary.Offsets[..(count + 1)]));
                    writer.Write(dictionary.HeapLength);
                    writer.Write(dictionary.Heap);
                    writer.Write(MemoryMarshal.AsBytes(chunk.Codes.AsSpan()));
                    break;
                default:
                    break;
            }
        }
        writer.Write(Trailer);
    }

    private static int DictionarySize(ColumnChunk chunk)
    {
        int max = -1;
        for (int row = 0; row < chunk.RowCount; row++)
        {
            if (chunk.IsValid(row) && chunk.Codes![row] > max)
            {
                max = chunk.Codes[row];
            }
        }
        return max + 1;
    }

    private static void WriteVarBytes(BinaryWriter writer, int[] offsets, byte[] heap)
    {
        writer.Write(MemoryMarshal.AsBytes(offsets.AsSpan()));
        writer.Write(heap.Length);
        writer.Write(heap);
    }

    public static RowGroup Read(Stream stream, BatchSchema schema, string path)
    {
        using BinaryReader reader = new(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadUInt32() != Magic)
            {
                throw Corrupt(path, "bad magic");
            }
            int rows = reader.ReadInt32();
            int columns = reader.ReadInt32();
            if (columns != schema.Count || rows < 0)
            {
                throw Corrupt(path, "column count does not match the table");
            }
            ImmutableArray<ColumnChunk>.Builder chunks = ImmutableArray.CreateBuilder<ColumnChunk>(columns);
            for (int c = 0; c < columns; c++)
            {
                chunks.Add(ReadChunk(reader, schema[c].Type, rows, path));
            }
            if (reader.ReadUInt32() != Trailer)
            {
                throw Corrupt(path, "missing trailer");
            }
            return new RowGroup(rows, chunks.MoveToImmutable());
        }
        catch (EndOfStreamException)
        {
            throw Corrupt(path, "truncated");
        }
    }

    private static ColumnChunk ReadChunk(BinaryReader reader, LogicalType type, int rows, string path)
    {
        if (reader.ReadByte() != (byte)type.Id)
        {
            throw Corrupt(path, "column type does not match the table");
        }
        Layout layout = (Layout)reader.ReadByte();
        ulong[]? valid = reader.ReadBoolean() ? ReadArray<ulong>(reader, ValidityMask.WordCount(rows)) : null;
        switch (layout)
        {
            case Layout.Fixed:
            {
                long[] data = ReadArray<long>(reader, rows);
                return new ColumnChunk
                {
                    Type = type, RowCount = rows, ValidWords = valid, Fixed = data,
                    Statistics = ColumnChunkStatistics.Compute(type, rows, valid, data),
                };
            }
            case Layout.Bools:
            {
                byte[] data = reader.ReadBytes(rows);
                return new ColumnChunk
                {
                    Type = type, RowCount = rows, ValidWords = valid, Bools = data,
                    Statistics = ColumnChunkStatistics.Compute(rows, valid, data),
                };
            }
            case Layout.Flat:
            {
                int[] offsets = ReadArray<int>(reader, rows + 1);
                byte[] heap = reader.ReadBytes(reader.ReadInt32());
                return new ColumnChunk
                {
                    Type = type, RowCount = rows, ValidWords = valid, Offsets = offsets, Heap = heap,
                    Statistics = type.Id is TypeId.String or TypeId.Binary ? ColumnChunkStatistics.Compute(rows, valid, offsets, heap) : null,
                };
            }
            case Layout.Dictionary:
            {
                int count = reader.ReadInt32();
                int[] dictionaryOffsets = ReadArray<int>(reader, count + 1);
                byte[] heap = reader.ReadBytes(reader.ReadInt32());
                int[] codes = ReadArray<int>(reader, rows);
                ColumnVector dictionary = new(type, Math.Max(count, 1));
                for (int i = 0; i < count; i++)
                {
                    dictionary.SetBytes(i, heap.AsSpan(dictionaryOffsets[i], dictionaryOffsets[i + 1] - dictionaryOffsets[i]));
                }
                dictionary.FinishBytes(count);
                return new ColumnChunk
                {
                    Type = type, RowCount = rows, ValidWords = valid, Codes = codes, Dictionary = dictionary,
                    Statistics = ColumnChunkStatistics.Compute(count, null, dictionaryOffsets, heap) is { } stats
                        ? stats with { HasNulls = valid is not null } : null,
                };
            }
            default:
                return new ColumnChunk { Type = type, RowCount = rows, ValidWords = valid ?? new ulong[ValidityMask.WordCount(rows)] };
        }
    }

    private static T[] ReadArray<T>(BinaryReader reader, int count) where T : unmanaged
    {
        T[] values = new T[count];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static QueryException Corrupt(string path, string reason) =>
        new(ErrorKind.Io, $"data file \"{path}\" is corrupt ({reason})");
}
