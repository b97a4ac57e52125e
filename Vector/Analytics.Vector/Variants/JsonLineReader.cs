using Analytics.Errors;

namespace Analytics.Vector.Variants;

/// <summary>
/// Splits a stream of newline-delimited JSON (NDJSON) into lines without copying each line: a line is a span into a
/// reused buffer, valid until the next read. <c>\n</c> and <c>\r\n</c> end lines, a UTF-8 byte-order mark at the start
/// and blank lines are skipped, and the last line needs no newline. Every line knows its 1-based number and the byte
/// offset where it starts, so errors can point at it.
/// </summary>
public sealed class JsonLineReader : IDisposable
{
    public const int DefaultMaxLineBytes = 64 << 20;

    private readonly Stream _stream;
    private readonly string _sourceName;
    private readonly int _maxLineBytes;
    private readonly bool _leaveOpen;
    private byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _end;
    private long _bufferOffset;
    private long _lineNumber;
    private bool _eof;

    public JsonLineReader(Stream stream, string sourceName, bool leaveOpen = false, int maxLineBytes = DefaultMaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _sourceName = sourceName;
        _leaveOpen = leaveOpen;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>1-based number of the line last returned (blank lines count).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Byte offset in the (decompressed) stream where the line last returned starts.</summary>
    public long LineOffset { get; private set; }

    /// <summary>Bytes consumed from the stream so far (for progress).</summary>
    public long BytesRead => _bufferOffset + _end;

    /// <summary>The next non-blank line without its line ending, or false at the end of the stream.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            int lineEnd;
            int next;
            if (newline >= 0)
            {
                lineEnd = _start + newline;
                next = lineEnd + 1;
            }
            else if (!_eof)
            {
                Fill();
                continue;
            }
            else if (_start < _end)
            {
                lineEnd = _end;
                next = _end;
            }
            else
            {
                line = default;
                return false;
            }
            int lineStart = _start;
            _start = next;
            _lineNumber++;
            if (_lineNumber == 1 && _buffer.AsSpan(lineStart, lineEnd - lineStart).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                lineStart += 3;
            }
            int contentEnd = lineEnd > lineStart && _buffer[lineEnd - 1] == (byte)'\r' ? lineEnd - 1 : lineEnd;
            ReadOnlySpan<byte> content = _buffer.AsSpan(lineStart, contentEnd - lineStart);
            if (content.IsWhiteSpaceJson())
            {
                continue;
            }
            LineNumber = _lineNumber;
            LineOffset = _bufferOffset + lineStart;
            line = content;
            return true;
        }
    }

    /// <summary>Moves the unread tail to the front (growing the buffer for long lines) and reads more bytes.</summary>
    private void Fill()
    {
        int remaining = _end - _start;
        if (remaining >= _maxLineBytes)
        {
            throw new QueryException(ErrorKind.InvalidInput,
                $"'{_sourceName}' line {_lineNumber + 1} (byte {_bufferOffset + _start}): line longer than {_maxLineBytes} bytes");
        }
        if (_start > 0)
        {
            _buffer.AsSpan(_start, remaining).CopyTo(_buffer);
            _bufferOffset += _start;
            _start = 0;
            _end = remaining;
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxLineBytes + 1));
        }
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }
        _end += read;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}

internal static class JsonWhiteSpace
{
    /// <summary>True when the span holds only JSON insignificant whitespace (space, tab, CR, LF).</summary>
    public static bool IsWhiteSpaceJson(this ReadOnlySpan<byte> span) => span.IndexOfAnyExcept((byte)' ', (byte)'\t', (byte)'\r') < 0;
}
