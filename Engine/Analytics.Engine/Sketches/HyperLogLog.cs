using System.Numerics;

namespace Analytics.Engine.Sketches;

/// <summary>
/// A HyperLogLog distinct-count sketch over 64-bit hashes with 2^<c>bits</c> registers (standard error about
/// 1.04 / sqrt(2^bits)), with linear counting for small cardinalities. Two sketches of the same size merge by taking
/// the larger register, so partial states from parallel workers combine exactly as if one sketch had seen every value.
/// Used for segment statistics (10 bits) and approx_count_distinct (12 bits).
/// </summary>
public sealed class HyperLogLog
{
    private readonly byte[] _registers;
    private readonly int _bits;

    public HyperLogLog(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 18);
        _bits = bits;
        _registers = new byte[1 << bits];
    }

    public void Add(ulong hash)
    {
        int index = (int)(hash >> (64 - _bits));
        // The rank counts the leading zeros of the remaining bits; the sentinel bit caps it for an all-zero remainder.
        byte rank = (byte)(BitOperations.LeadingZeroCount((hash << _bits) | (1UL << (_bits - 1))) + 1);
        if (rank > _registers[index])
        {
            _registers[index] = rank;
        }
    }

    public void Merge(HyperLogLog other)
    {
        if (other._bits != _bits)
        {
            throw new ArgumentException("HyperLogLog sketches of different sizes do not merge", nameof(other));
        }
        for (int i = 0; i < _registers.Length; i++)
        {
            _registers[i] = Math.Max(_registers[i], other._registers[i]);
        }
    }

    public long Estimate()
    {
        int m = _registers.Length;
        double sum = 0;
        int zeros = 0;
        foreach (byte register in _registers)
        {
            sum += 1.0 / (1UL << register);
            zeros += register == 0 ? 1 : 0;
        }
        double estimate = 0.7213 / (1 + (1.079 / m)) * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0)
        {
            estimate = m * Math.Log((double)m / zeros);
        }
        return (long)Math.Round(estimate);
    }
}
