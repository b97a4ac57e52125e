namespace Analytics.Vector.Compression;

/// <summary>
/// Gives back bytes already read from a stream that cannot seek (the sniffed magic number), then the rest of it, so
/// format detection loses nothing. Owns the inner stream.
/// </summary>
internal sealed class ReplayStream(ReadOnlyMemory<byte> replay, Stream inner) : ReadOnlyStream
{
    private ReadOnlyMemory<byte> _replay = replay;

    public override bool CanRead => inner.CanRead;

    public override int Read(Span<byte> buffer) =>
        _replay.IsEmpty || buffer.IsEmpty ? inner.Read(buffer) : TakeReplay(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _replay.IsEmpty || buffer.IsEmpty
            ? inner.ReadAsync(buffer, cancellationToken)
            : ValueTask.FromResult(TakeReplay(buffer.Span));

    private int TakeReplay(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, _replay.Length);
        _replay.Span[..n].CopyTo(buffer);
        _replay = _replay[n..];
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
