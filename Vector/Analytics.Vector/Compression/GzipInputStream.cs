using System.IO.Compression;
using Analytics.Errors;

namespace Analytics.Vector.Compression;

/// <summary>
/// <see cref="GZipStream"/> (which reads concatenated members) with its <see cref="InvalidDataException"/> turned
/// into the engine's <see cref="ErrorKind.InvalidInput"/> naming the source. GZipStream gives no byte offset and,
/// unlike the zstd reader, does not detect a file cut short: it ends the data early without an error.
/// </summary>
internal sealed class GzipInputStream : Stream
{
    private readonly GZipStream _gzip;
    private readonly string? _sourceName;

    public GzipInputStream(Stream inner, string? sourceName)
    {
        _gzip = new GZipStream(inner, CompressionMode.Decompress, leaveOpen: false);
        _sourceName = sourceName;
    }

    public override bool CanRead => _gzip.CanRead;

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

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _gzip.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(e);
        }
    }

    private QueryException Corrupt(InvalidDataException e)
    {
        string where = _sourceName is null ? string.Empty : $" in '{_sourceName}'";
        return new QueryException(ErrorKind.InvalidInput, $"corrupt gzip data{where}: {e.Message}", e);
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
            _gzip.Dispose();
        }
        base.Dispose(disposing);
    }
}
