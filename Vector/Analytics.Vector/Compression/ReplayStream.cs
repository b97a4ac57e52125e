namespace Analytics.Vector.Compression;

/// <summary>
/// Gives back bytes already read from a stream that cannot seek (the sniffed magic number), then the rest of it, so
/// format detection loses nothing. Owns the inner stream.
/// </summary>
internal sealed class ReplayStream(ReadOnlyMemory<byte> replay, Stream inner) : Stream
{
    private ReadOnlyMemory<byte> _replay = replay;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override int Read(Span<byte> buffer) =>
        _replay.IsEmpty || buffer.IsEmpty ? inner.Read(buffer) : TakeReplay(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

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

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
