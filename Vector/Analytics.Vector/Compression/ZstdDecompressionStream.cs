using System.Buffers;
using System.Globalization;
using Analytics.Errors;

namespace Analytics.Vector.Compression;

/// <summary>
/// A read-only stream that decompresses zstd data (one or more concatenated frames, skippable frames included)
/// read from an inner stream. Output is decoded straight into the caller's buffer and input goes through one pooled
/// buffer, so reads allocate nothing. Corrupt or truncated input raises <see cref="ErrorKind.InvalidInput"/> naming
/// the source and the compressed byte offset.
/// </summary>
public sealed class ZstdDecompressionStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly string? _sourceName;
    private readonly ZstdDStreamHandle _context;
    private byte[]? _input;
    private int _inputPos;
    private int _inputLength;
    private long _inputStart;
    private bool _innerEnded;
    private bool _frameOpen;

    /// <summary>Creates a decompressing view of <paramref name="inner"/>, read from its current position.</summary>
    /// <param name="inner">The compressed bytes.</param>
    /// <param name="sourceName">The file name used in error messages, if known.</param>
    /// <param name="leaveOpen">When false, disposing this stream disposes <paramref name="inner"/>.</param>
    public ZstdDecompressionStream(Stream inner, string? sourceName = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ZstdNative.EnsureAvailable();
        _inner = inner;
        _leaveOpen = leaveOpen;
        _sourceName = sourceName;
        _context = ZstdNative.CreateDStream();
        if (_context.IsInvalid)
        {
            _context.Dispose();
            ThrowHelper.Throw(ErrorKind.OutOfMemory, "cannot allocate a zstd decompression context");
        }
        // libzstd before 1.3 required an explicit init before the first ZSTD_decompressStream; it costs nothing.
        nuint init = ZstdNative.InitDStream(_context);
        if (ZstdNative.IsError(init))
        {
            _context.Dispose();
            ThrowHelper.ThrowInternal("ZSTD_initDStream failed: " + ZstdNative.ErrorName(init));
        }
        _input = ArrayPool<byte>.Shared.Rent((int)ZstdNative.DStreamInSize());
    }

    /// <inheritdoc/>
    public override bool CanRead => _input is not null;

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        byte[] input = _input ?? throw new ObjectDisposedException(nameof(ZstdDecompressionStream));
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            // Decode before refilling: after a read that filled the caller's buffer the decoder may still hold
            // output for input it has already consumed.
            int written = Decode(buffer);
            if (written > 0)
            {
                return written;
            }
            if (_inputPos < _inputLength)
            {
                continue;
            }
            if (_innerEnded || !Refilled(_inner.Read(input)))
            {
                return EndOfInput();
            }
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        byte[] input = _input ?? throw new ObjectDisposedException(nameof(ZstdDecompressionStream));
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (true)
        {
            int written = Decode(buffer.Span);
            if (written > 0)
            {
                return written;
            }
            if (_inputPos < _inputLength)
            {
                continue;
            }
            if (_innerEnded || !Refilled(await _inner.ReadAsync(input, cancellationToken).ConfigureAwait(false)))
            {
                return EndOfInput();
            }
        }
    }

    private unsafe int Decode(Span<byte> destination)
    {
        fixed (byte* dst = destination)
        fixed (byte* src = _input)
        {
            ZstdNative.OutBuffer output = new() { Dst = dst, Size = (nuint)destination.Length };
            ZstdNative.InBuffer input = new() { Src = src, Size = (nuint)_inputLength, Pos = (nuint)_inputPos };
            nuint result = ZstdNative.DecompressStream(_context, &output, &input);
            int consumed = (int)input.Pos - _inputPos;
            _inputPos = (int)input.Pos;
            if (ZstdNative.IsError(result))
            {
                throw Corrupt("corrupt", ZstdNative.ErrorName(result));
            }
            // A fresh or just-finished decoder also answers a size hint (> 0), so only consumed input opens a frame.
            if (result == 0)
            {
                _frameOpen = false;
            }
            else if (consumed > 0)
            {
                _frameOpen = true;
            }
            return (int)output.Pos;
        }
    }

    private bool Refilled(int read)
    {
        _inputStart += _inputLength;
        _inputPos = 0;
        _inputLength = read;
        _innerEnded = read == 0;
        return read > 0;
    }

    // The decoder has flushed everything and the inner stream is exhausted: fine between frames, not inside one.
    private int EndOfInput() =>
        _frameOpen ? throw Corrupt("truncated", "end of input inside a frame") : 0;

    private QueryException Corrupt(string problem, string detail)
    {
        string where = _sourceName is null ? string.Empty : $" in '{_sourceName}'";
        return new QueryException(ErrorKind.InvalidInput, string.Create(CultureInfo.InvariantCulture,
            $"{problem} zstd data{where} at compressed byte {_inputStart + _inputPos}: {detail}"));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _input is not null)
        {
            _context.Dispose();
            ArrayPool<byte>.Shared.Return(_input);
            _input = null;
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
