using System.Numerics;

namespace Analytics.Engine.Sketches;

/// <summary>
/// A HyperLogLog distinct-count sketch over 64-bit hashes with 2^<c>bits</c> registers (standard error about
/// 1.04 / sqrt(2^bits)). It starts sparse: the distinct hashes themselves, in a small open-addressing set, so small
/// cardinalities are counted exactly and a group with few values costs bytes, not the 2^bits registers. Once the set
/// would use as much memory as the registers it is folded into them. Two sketches of the same size merge by taking
/// the larger register (or the union of the sets), so partial states from parallel workers combine exactly as if one
/// sketch had seen every value. Used for segment statistics (10 bits) and approx_count_distinct (16 bits).
/// </summary>
public sealed class HyperLogLog
{
    private const int InitialSetCapacity = 16;

    private readonly int _bits;
    private byte[]? _registers;

    // Sparse phase: distinct non-zero hashes (zero marks an empty slot; a zero hash is stored as HashOfZero), linear probing.
    private ulong[]? _set;
    private int _setCount;

    private const ulong HashOfZero = 0x9E3779B97F4A7C15UL;

    public HyperLogLog(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 18);
        _bits = bits;
        _set = new ulong[InitialSetCapacity];
    }

    /// <summary>True while the sketch still holds the exact set of hashes.</summary>
    public bool IsSparse => _set is not null;

    /// <summary>Set slots at which the sparse phase ends: 8 bytes each, so the set never outgrows the 2^bits registers.</summary>
    private int MaxSetCapacity => Math.Max(InitialSetCapacity, (1 << _bits) / sizeof(ulong));

    public void Add(ulong hash)
    {
        hash = hash == 0 ? HashOfZero : hash;
        if (_set is null)
        {
            AddToRegisters(_registers!, _bits, hash);
            return;
        }
        AddToSet(hash);
    }

    public void Merge(HyperLogLog other)
    {
        if (other._bits != _bits)
        {
            throw new ArgumentException("HyperLogLog sketches of different sizes do not merge", nameof(other));
        }
        if (other._set is { } otherSet)
        {
            foreach (ulong hash in otherSet)
            {
                if (hash != 0)
                {
                    Add(hash);
                }
            }
            return;
        }
        byte[] registers = Densify();
        byte[] from = other._registers!;
        for (int i = 0; i < registers.Length; i++)
        {
            registers[i] = Math.Max(registers[i], from[i]);
        }
    }

    public long Estimate()
    {
        if (_set is not null)
        {
            return _setCount;
        }
        byte[] registers = _registers!;
        int m = registers.Length;
        double sum = 0;
        int zeros = 0;
        foreach (byte register in registers)
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

    private static void AddToRegisters(byte[] registers, int bits, ulong hash)
    {
        int index = (int)(hash >> (64 - bits));
        // The rank counts the leading zeros of the remaining bits; the sentinel bit caps it for an all-zero remainder.
        byte rank = (byte)(BitOperations.LeadingZeroCount((hash << bits) | (1UL << (bits - 1))) + 1);
        if (rank > registers[index])
        {
            registers[index] = rank;
        }
    }

    private void AddToSet(ulong hash)
    {
        ulong[] set = _set!;
        int mask = set.Length - 1;
        // The hash's low bits pick the slot: the register index uses the high bits, so both stay well spread.
        for (int slot = (int)hash & mask; ; slot = (slot + 1) & mask)
        {
            ulong current = set[slot];
            if (current == hash)
            {
                return;
            }
            if (current == 0)
            {
                set[slot] = hash;
                _setCount++;
                break;
            }
        }
        // Load factor at most one half keeps probes short.
        if (_setCount * 2 > set.Length)
        {
            if (set.Length >= MaxSetCapacity)
            {
                Densify();
            }
            else
            {
                GrowSet(set.Length * 2);
            }
        }
    }

    private void GrowSet(int capacity)
    {
        ulong[] old = _set!;
        _set = new ulong[capacity];
        _setCount = 0;
        foreach (ulong hash in old)
        {
            if (hash != 0)
            {
                AddToSet(hash);
            }
        }
    }

    private byte[] Densify()
    {
        if (_set is { } set)
        {
            byte[] registers = new byte[1 << _bits];
            foreach (ulong hash in set)
            {
                if (hash != 0)
                {
                    AddToRegisters(registers, _bits, hash);
                }
            }
            _registers = registers;
            _set = null;
            _setCount = 0;
        }
        return _registers!;
    }
}
