using System.Buffers.Binary;
using System.Numerics;

namespace Analytics.Vector.Compression;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of storage chunks. <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the
/// SSE4.2/ARMv8 CRC instructions where present (eight bytes per instruction) and a table otherwise.
/// </summary>
public static class Crc32C
{
    /// <summary>The standard CRC-32C of <paramref name="data"/> (initial value and final XOR 0xFFFFFFFF).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }
        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }
        return ~crc;
    }
}
