using System.Globalization;

namespace Analytics.Sources.Files.Csv;

/// <summary>
/// Splits a stream into CSV records (RFC 4180): fields separated by one delimiter byte, optionally quoted with the
/// quote byte (a doubled quote inside a quoted field is one quote; delimiters and line breaks inside quotes are data),
/// records ended by LF or CRLF, the last one possibly without. A UTF-8 byte-order mark at the start and blank lines
/// are skipped. Field contents (unquoted) are copied into one reused buffer, so reading allocates nothing per record.
/// </summary>
/// <remarks>
/// A malformed record (text after a closing quote, a quote left open at the end of the input) is still returned,
/// with <see cref="Problem"/> set, so the caller decides between failing and skipping it with <c>ignore_errors</c>;
/// the reader stays in step with the records either way.
/// </remarks>
internal sealed class CsvRecordReader : IDisposable
{
    private readonly Stream _stream;
    private readonly byte _delimiter;
    private readonly byte _quote;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _position;
    private int _end;
    private long _bufferOffset;
    private bool _eof;
    private bool _started;
    private long _line = 1;
    private byte[] _content = new byte[1024];
    private int _contentLength;
    private int[] _fieldStarts = new int[16];
    private int[] _fieldEnds = new int[16];
    private bool[] _fieldQuoted = new bool[16];

    public CsvRecordReader(Stream stream, byte delimiter, byte quote)
    {
        _stream = stream;
        _delimiter = delimiter;
        _quote = quote;
    }

    /// <summary>Fields in the record last read.</summary>
    public int FieldCount { get; private set; }

    /// <summary>1-based line where the record last read starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>Byte offset (in the decompressed data) where the record last read starts.</summary>
    public long RecordOffset { get; private set; }

    /// <summary>What is wrong with the record last read, or null when it is well formed.</summary>
    public string? Problem { get; private set; }

    /// <summary>1-based line of <see cref="Problem"/>.</summary>
    public long ProblemLine { get; private set; }

    /// <summary>Byte offset of <see cref="Problem"/>.</summary>
    public long ProblemOffset { get; private set; }

    /// <summary>Bytes consumed so far.</summary>
    public long BytesRead => _bufferOffset + _position;

    public ReadOnlySpan<byte> Field(int index) => _content.AsSpan(_fieldStarts[index], _fieldEnds[index] - _fieldStarts[index]);

    /// <summary>Whether the field was quoted (a quoted empty field is an empty string, an unquoted one is NULL).</summary>
    public bool IsQuoted(int index) => _fieldQuoted[index];

    /// <summary>Reads the next non-blank record; false at the end of the stream.</summary>
    public bool ReadRecord()
    {
        if (!_started)
        {
            _started = true;
            if (Fill(3) && _buffer.AsSpan(_position, Math.Min(3, _end - _position)).SequenceEqual((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                _position += 3;
            }
        }
        while (_position < _end || Fill(1))
        {
            RecordLine = _line;
            RecordOffset = _bufferOffset + _position;
            ParseRecord();
            bool blank = FieldCount == 1 && !_fieldQuoted[0] && _fieldEnds[0] == 0 && Problem is null;
            if (!blank)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Parses one record from the current position, copying field contents run by run.</summary>
    private void ParseRecord()
    {
        _contentLength = 0;
        FieldCount = 0;
        Problem = null;
        StartField();
        bool inQuotes = false;
        bool afterQuote = false;
        bool fieldStart = true;
        while (true)
        {
            if (_position >= _end && !Fill(1))
            {
                if (inQuotes)
                {
                    Report(RecordLine, RecordOffset, "unterminated quoted field at the end of the file");
                }
                EndField();
                return;
            }
            ReadOnlySpan<byte> rest = _buffer.AsSpan(_position, _end - _position);
            if (inQuotes)
            {
                // Line feeds stop the run too, only so that line numbers stay right after multi-line fields.
                int stop = rest.IndexOfAny(_quote, (byte)'\n');
                if (stop < 0)
                {
                    Append(rest);
                    _position = _end;
                    continue;
                }
                Append(rest[..(stop + (rest[stop] == (byte)'\n' ? 1 : 0))]);
                _position += stop + 1;
                if (rest[stop] == (byte)'\n')
                {
                    _line++;
                }
                else
                {
                    inQuotes = false;
                    afterQuote = true;
                }
                continue;
            }
            byte first = rest[0];
            if (afterQuote)
            {
                afterQuote = false;
                if (first == _quote)
                {
                    // A doubled quote inside a quoted field: one quote character of data, and the field goes on.
                    Append(rest[..1]);
                    _position++;
                    inQuotes = true;
                    continue;
                }
                if (first != _delimiter && first != (byte)'\n' && first != (byte)'\r')
                {
                    string shown = first is >= 0x20 and < 0x7F
                        ? $"character '{(char)first}'"
                        : $"byte 0x{first.ToString("X2", CultureInfo.InvariantCulture)}";
                    Report(_line, _bufferOffset + _position, $"unexpected {shown} after a closing quote");
                }
            }
            else if (fieldStart && first == _quote)
            {
                _fieldQuoted[FieldCount] = true;
                inQuotes = true;
                fieldStart = false;
                _position++;
                continue;
            }
            // Unquoted data runs to the next delimiter or line end; a quote inside it is data (lenient, as most writers expect).
            int end = rest.IndexOfAny(_delimiter, (byte)'\n', (byte)'\r');
            if (end < 0)
            {
                Append(rest);
                _position = _end;
                fieldStart = false;
                continue;
            }
            Append(rest[..end]);
            _position += end + 1;
            if (rest[end] == _delimiter)
            {
                EndField();
                StartField();
                fieldStart = true;
                continue;
            }
            if (rest[end] == (byte)'\r' && (_position < _end || Fill(1)) && _buffer[_position] == (byte)'\n')
            {
                _position++;
            }
            _line++;
            EndField();
            return;
        }
    }

    /// <summary>Keeps the first problem of the record.</summary>
    private void Report(long line, long offset, string problem)
    {
        if (Problem is null)
        {
            Problem = problem;
            ProblemLine = line;
            ProblemOffset = offset;
        }
    }

    private void StartField()
    {
        if (FieldCount == _fieldStarts.Length)
        {
            Array.Resize(ref _fieldStarts, FieldCount * 2);
            Array.Resize(ref _fieldEnds, FieldCount * 2);
            Array.Resize(ref _fieldQuoted, FieldCount * 2);
        }
        _fieldStarts[FieldCount] = _contentLength;
        _fieldQuoted[FieldCount] = false;
    }

    private void EndField()
    {
        _fieldEnds[FieldCount] = _contentLength;
        FieldCount++;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_contentLength + bytes.Length > _content.Length)
        {
            Array.Resize(ref _content, Math.Max(_contentLength + bytes.Length, _content.Length * 2));
        }
        bytes.CopyTo(_content.AsSpan(_contentLength));
        _contentLength += bytes.Length;
    }

    /// <summary>Makes at least <paramref name="wanted"/> unread bytes available if the stream has them.</summary>
    private bool Fill(int wanted)
    {
        while (_end - _position < wanted && !_eof)
        {
            if (_position > 0)
            {
                Buffer.BlockCopy(_buffer, _position, _buffer, 0, _end - _position);
                _bufferOffset += _position;
                _end -= _position;
                _position = 0;
            }
            int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _eof = true;
            }
            _end += read;
        }
        return _end - _position > 0;
    }

    public void Dispose() => _stream.Dispose();
}
