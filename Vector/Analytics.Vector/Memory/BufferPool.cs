using System.Collections.Concurrent;
using System.Numerics;

namespace Analytics.Vector.Memory;

/// <summary>
/// Pools <see cref="AlignedBuffer"/>s by power-of-two size class so that steady-state execution reuses buffers instead of
/// allocating per batch. Thread-safe; one instance per <c>Database</c> (plus <see cref="Shared"/> for tools and tests).
/// </summary>
public sealed class BufferPool
{
    private const int MinShift = 6;   // 64 bytes
    private const int MaxShift = 30;  // 1 GiB
    private const int MaxRetainedPerClass = 256;

    private readonly ConcurrentBag<AlignedBuffer>[] _classes = new ConcurrentBag<AlignedBuffer>[MaxShift + 1];
    private readonly int[] _retained = new int[MaxShift + 1];

    public BufferPool()
    {
        for (int i = 0; i < _classes.Length; i++)
        {
            _classes[i] = new ConcurrentBag<AlignedBuffer>();
        }
    }

    /// <summary>A process-wide pool for code that has no database at hand (tests, benchmarks, tools).</summary>
    public static BufferPool Shared { get; } = new();

    /// <summary>Rents a buffer of at least <paramref name="minimumBytes"/>; its contents are undefined.</summary>
    public AlignedBuffer Rent(int minimumBytes)
    {
        int shift = SizeClass(minimumBytes);
        if (shift > MaxShift)
        {
            return new AlignedBuffer(minimumBytes);
        }
        if (_classes[shift].TryTake(out AlignedBuffer? buffer))
        {
            Interlocked.Decrement(ref _retained[shift]);
            return buffer;
        }
        return new AlignedBuffer(1 << shift);
    }

    /// <summary>Returns a buffer for reuse. The caller must not touch it afterwards.</summary>
    public void Return(AlignedBuffer buffer)
    {
        int capacity = buffer.CapacityBytes;
        if (!BitOperations.IsPow2(capacity))
        {
            return; // oversized one-off buffer: let the GC have it
        }
        int shift = BitOperations.Log2((uint)capacity);
        if (shift < MinShift || shift > MaxShift)
        {
            return;
        }
        if (Interlocked.Increment(ref _retained[shift]) > MaxRetainedPerClass)
        {
            Interlocked.Decrement(ref _retained[shift]);
            return;
        }
        _classes[shift].Add(buffer);
    }

    private static int SizeClass(int bytes)
    {
        if (bytes <= 1 << MinShift)
        {
            return MinShift;
        }
        return BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)bytes));
    }
}
