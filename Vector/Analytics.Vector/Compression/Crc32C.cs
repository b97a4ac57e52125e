using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Analytics.Vector.Compression;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of storage chunks. <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the
/// SSE4.2/ARMv8 CRC instructions where present (eight bytes per instruction) and a table otherwise. One running CRC
/// waits for each instruction's result (three cycles on x64) before the next, so large inputs are taken
/// <see cref="Lane"/> bytes at a time in three independent streams whose CRCs are then combined (Mark Adler's method
/// in zlib's <c>crc32_combine</c> and his <c>crc32c.c</c>): every chunk a scan reads is checked, and one stream was
/// ~3 ms of CPU per 10M-row cold scan (perf/README).
/// </summary>
public static class Crc32C
{
    /// <summary>The reflected CRC-32C polynomial.</summary>
    private const uint Polynomial = 0x82F63B78;

    /// <summary>Bytes per stream of the three-way loop: long enough that the two combines per round cost nothing.</summary>
    private const int Lane = 8192;

    /// <summary>The CRC state after <see cref="Lane"/> zero bytes, as four byte-indexed tables (<see cref="Shift"/>).</summary>
    private static readonly uint[] s_laneShift = ZerosOperator(Lane);

    /// <summary>The standard CRC-32C of <paramref name="data"/> (initial value and final XOR 0xFFFFFFFF).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        int i = 0;
        for (; i + (3 * Lane) <= data.Length; i += 3 * Lane)
        {
            // CRC is linear: the state after A·B is the state after A moved past |B| zero bytes, XOR B's CRC from 0.
            // The round's 3 × Lane bytes are in range (the loop condition), so the loads go without bounds checks.
            ref byte round = ref Unsafe.Add(ref MemoryMarshal.GetReference(data), i);
            uint second = 0;
            uint third = 0;
            for (int j = 0; j < Lane; j += 8)
            {
                crc = BitOperations.Crc32C(crc, ReadWord(ref round, j));
                second = BitOperations.Crc32C(second, ReadWord(ref round, j + Lane));
                third = BitOperations.Crc32C(third, ReadWord(ref round, j + (2 * Lane)));
            }
            crc = Shift(crc) ^ second;
            crc = Shift(crc) ^ third;
        }
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

    private static ulong ReadWord(ref byte start, int offset) =>
        BinaryPrimitives.ReadUInt64LittleEndian(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref start, offset), sizeof(ulong)));

    /// <summary>The state <paramref name="crc"/> after <see cref="Lane"/> zero bytes: a GF(2) matrix product, one table per byte.</summary>
    private static uint Shift(uint crc)
    {
        uint[] tables = s_laneShift;
        return tables[crc & 0xFF] ^ tables[256 + ((crc >> 8) & 0xFF)] ^ tables[512 + ((crc >> 16) & 0xFF)] ^ tables[768 + (crc >> 24)];
    }

    /// <summary>
    /// The 32×32 GF(2) matrix that advances a CRC state past <paramref name="bytes"/> zero bytes (squared up from the
    /// one-bit operator), applied to every value of each state byte.
    /// </summary>
    private static uint[] ZerosOperator(int bytes)
    {
        // Column n of the one-zero-bit operator: where bit n of the state goes (bit 0 shifts out into the polynomial).
        uint[] odd = new uint[32];
        uint[] even = new uint[32];
        odd[0] = Polynomial;
        for (int n = 1; n < 32; n++)
        {
            odd[n] = 1u << (n - 1);
        }
        Square(even, odd); // two zero bits
        Square(odd, even); // four
        // Each square doubles the zero bits; multiply in the powers of two that make up `bytes` (8 bits each).
        uint[] result = new uint[32];
        for (int n = 0; n < 32; n++)
        {
            result[n] = 1u << n;
        }
        uint[] power = odd;
        uint[] spare = even;
        for (int remaining = bytes; ; remaining >>= 1)
        {
            Square(spare, power); // power covers 8·2^k zero bits, starting with one zero byte
            (power, spare) = (spare, power);
            if ((remaining & 1) != 0)
            {
                uint[] product = new uint[32];
                for (int n = 0; n < 32; n++)
                {
                    product[n] = Times(power, result[n]);
                }
                result = product;
            }
            if (remaining <= 1)
            {
                break;
            }
        }
        uint[] tables = new uint[4 * 256];
        for (int value = 0; value < 256; value++)
        {
            for (int b = 0; b < 4; b++)
            {
                tables[(b * 256) + value] = Times(result, (uint)value << (8 * b));
            }
        }
        return tables;
    }

    private static uint Times(uint[] matrix, uint vector)
    {
        uint sum = 0;
        for (int n = 0; vector != 0; n++, vector >>= 1)
        {
            if ((vector & 1) != 0)
            {
                sum ^= matrix[n];
            }
        }
        return sum;
    }

    private static void Square(uint[] square, uint[] matrix)
    {
        for (int n = 0; n < 32; n++)
        {
            square[n] = Times(matrix, matrix[n]);
        }
    }
}
