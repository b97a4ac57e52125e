using System.Buffers;
using Analytics.Vector.Memory;

namespace Analytics.Arrow.Conversion;

/// <summary>
/// Exposes a vector's <see cref="AlignedBuffer"/> as <see cref="Memory{T}"/> while remembering the buffer, so an
/// Arrow array built over a vector's values can hand the very same buffer back to a vector (zero copy both ways).
/// The buffer is pinned for its whole life, so pinning is free.
/// </summary>
internal sealed class AlignedBufferMemory(AlignedBuffer buffer, int length) : MemoryManager<byte>
{
    public AlignedBuffer Buffer { get; } = buffer;

    public override Span<byte> GetSpan() => Buffer.Bytes[..length];

    public override unsafe MemoryHandle Pin(int elementIndex = 0) => new(Buffer.Pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
