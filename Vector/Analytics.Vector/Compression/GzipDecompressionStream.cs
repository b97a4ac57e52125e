using System.Runtime.InteropServices;
using Analytics.Errors;

namespace Analytics.Vector.Compression;

/// <summary>
/// A read-only stream that decompresses gzip data (one or more concatenated members) with the system zlib. Output is
/// inflated straight into the caller's buffer; input goes through one native buffer, so reads allocate nothing. A
/// corrupt member (bad header, data or CRC) and input that ends inside a member both raise
/// <see cref="ErrorKind.InvalidInput"/> naming the source and the compressed byte offset: a file cut short is never
/// read as shorter data.
/// </summary>
public sealed unsafe class GzipDecompressionStream : ReadOnlyStream
{
    private const int InputSize = 1 << 16;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly string? _sourceName;
    private ZlibNative.ZStream* _stream;
    private byte* _input;
    private long _fed;
    private bool _innerEnded;
    private bool _memberOpen;
    private bool _finished;

    /// <summary>Creates a decompressing view of <paramref name="inner"/>, read from its current position.</summary>
    /// <param name="inner">The compressed bytes.</param>
    /// <param name="sourceName">The file name used in error messages, if known.</param>
    /// <param name="leaveOpen">When false, disposing this stream disposes <paramref name="inner"/>.</param>
    public GzipDecompressionStream(Stream inner, string? sourceName = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ZlibNative.EnsureAvailable();
        _inner = inner;
        _leaveOpen = leaveOpen;
        _sourceName = sourceName;
        // Native memory: zlib keeps pointers into the stream state and the input between calls, so neither may move.
        _stream = (ZlibNative.ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZlibNative.ZStream));
        _input = (byte*)NativeMemory.Alloc(InputSize);
        int status = ZlibNative.InflateInit2(_stream, ZlibNative.GzipWindowBits, ZlibNative.Version(), sizeof(ZlibNative.ZStream));
        if (status != ZlibNative.Ok)
        {
            NativeMemory.Free(_input);
            NativeMemory.Free(_stream);
            _stream = null;
            ThrowHelper.Throw(ErrorKind.OutOfMemory, $"cannot start a gzip decoder (zlib status {status})");
        }
    }

    public override bool CanRead => _stream is not null;

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_stream is null, this);
        if (buffer.IsEmpty || _finished)
        {
            return 0;
        }
        fixed (byte* output = buffer)
        {
            while (true)
            {
                if (_stream->AvailIn == 0 && !_innerEnded)
                {
                    Refill();
                }
                if (_stream->AvailIn == 0 && _innerEnded)
                {
                    if (_memberOpen)
                    {
                        throw Problem("truncated", "end of input inside a member");
                    }
                    _finished = true;
                    return 0;
                }
                _memberOpen = true;
                _stream->NextOut = output;
                _stream->AvailOut = (uint)buffer.Length;
                int status = ZlibNative.Inflate(_stream, 0);
                int written = buffer.Length - (int)_stream->AvailOut;
                if (status == ZlibNative.StreamEnd)
                {
                    // A member is complete (its CRC and length checked); another may follow.
                    _memberOpen = false;
                    ZlibNative.InflateReset(_stream);
                }
                else if (status != ZlibNative.Ok && status != ZlibNative.BufferError)
                {
                    throw Problem("corrupt", Message(status));
                }
                if (written > 0)
                {
                    return written;
                }
            }
        }
    }

    private void Refill()
    {
        int read = _inner.Read(new Span<byte>(_input, InputSize));
        _fed += read;
        if (read == 0)
        {
            _innerEnded = true;
        }
        _stream->NextIn = _input;
        _stream->AvailIn = (uint)read;
    }

    /// <summary>Compressed bytes consumed so far: all read from the inner stream but what zlib has not taken yet.</summary>
    private long CompressedOffset => _fed - _stream->AvailIn;

    private string Message(int status) => _stream->Message is not null
        ? Marshal.PtrToStringUTF8((nint)_stream->Message) ?? $"zlib status {status}"
        : status == ZlibNative.NeedDictionary ? "a preset dictionary is required" : $"zlib status {status}";

    private QueryException Problem(string what, string detail)
    {
        string where = _sourceName is null ? string.Empty : $" in '{_sourceName}'";
        return new QueryException(ErrorKind.InvalidInput, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{what} gzip data{where} at compressed byte {CompressedOffset}: {detail}"));
    }

    protected override void Dispose(bool disposing)
    {
        if (_stream is not null)
        {
            ZlibNative.InflateEnd(_stream);
            NativeMemory.Free(_stream);
            NativeMemory.Free(_input);
            _stream = null;
            _input = null;
        }
        if (disposing && !_leaveOpen)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
