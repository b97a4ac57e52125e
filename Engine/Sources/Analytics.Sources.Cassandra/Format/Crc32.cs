using System.Buffers.Binary;

namespace Analytics.Sources.Cassandra.Format;

/// <summary>
/// CRC-32 with the zlib polynomial (0xEDB88320 reflected), the checksum of Digest.crc32, CRC.db, the per-chunk trailers of
/// compressed Data.db and the na+ Statistics.db. Slicing-by-8 tables: one table lookup per byte, eight bytes per step.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] s_tables = BuildTables();

    private static uint[] BuildTables()
    {
        uint[] tables = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint crc = i;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
            tables[i] = crc;
        }
        for (int t = 1; t < 8; t++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint previous = tables[((t - 1) * 256) + i];
                tables[(t * 256) + i] = (previous >> 8) ^ tables[previous & 0xFF];
            }
        }
        return tables;
    }

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a running CRC-32 (start with 0) over more bytes.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] t = s_tables;
        crc = ~crc;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]) ^ crc;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data[(i + 4)..]);
            crc = t[(7 * 256) + (low & 0xFF)] ^ t[(6 * 256) + ((low >> 8) & 0xFF)]
                ^ t[(5 * 256) + ((low >> 16) & 0xFF)] ^ t[(4 * 256) + (low >> 24)]
                ^ t[(3 * 256) + (high & 0xFF)] ^ t[(2 * 256) + ((high >> 8) & 0xFF)]
                ^ t[256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
        }
        for (; i < data.Length; i++)
        {
            crc = (crc >> 8) ^ t[(crc ^ data[i]) & 0xFF];
        }
        return ~crc;
    }
}
