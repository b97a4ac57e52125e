using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Analytics.Vector.Memory;

/// <summary>
/// A byte buffer whose first byte is 64-byte aligned (one cache line, one AVX-512 register), so SIMD loads never
/// split a line and Arrow export can hand the memory out as-is. Backed by a pinned array on the pinned object heap:
/// the address is stable for the buffer's life and the GC still owns the memory, so a forgotten return is a missed
/// reuse, never a leak.
/// </summary>
public sealed class AlignedBuffer
{
    public const int Alignment = 64;

    private readonly byte[] _array;
    private readonly int _offset;

    internal unsafe AlignedBuffer(int capacityBytes)
    {
        _array = GC.AllocateUninitializedArray<byte>(capacityBytes + Alignment, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        _offset = (int)((Alignment - (address & (Alignment - 1))) & (Alignment - 1));
        CapacityBytes = capacityBytes;
    }

    public int CapacityBytes { get; }

    public Span<byte> Bytes => _array.AsSpan(_offset, CapacityBytes);

    public Span<T> AsSpan<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(Bytes);

    public Span<T> AsSpan<T>(int count) where T : unmanaged => MemoryMarshal.Cast<byte, T>(Bytes)[..count];

    public ref byte Start => ref _array[_offset];

    /// <summary>The stable address of the first byte (the array is pinned).</summary>
    public unsafe byte* Pointer => (byte*)Unsafe.AsPointer(ref Start);

    /// <summary>Exposes the aligned region as Memory for I/O and zero-copy export.</summary>
    public Memory<byte> AsMemory() => _array.AsMemory(_offset, CapacityBytes);
}
