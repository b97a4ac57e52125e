using Analytics.Errors;

namespace Analytics.Sources.Files.Csv;

/// <summary>
/// Splits a stream into CSV records (RFC 4180): fields separated by one delimiter byte, optionally quoted with the
/// quote byte (a doubled quote inside a quoted field is one quote; delimiters and line breaks inside quotes are data),
/// records ended by LF or CRLF, the last one possibly without. A UTF-8 byte-order mark at the start and blank lines
/// are skipped. Field contents (unquoted) are copied into one reused buffer, so reading allocates nothing per record.
/// </summary>
internal sealed class CsvRecordReader : IDisposable
{
    private readonly Stream _stream;
    private readonly string _file;
    private readonly byte _delimiter;
    private readonly byte _quote;
    private byte[] _buffer = new byte[1 << 16];
    private int _position;
    private int _end;
    private long _bufferOffset;
    private bool _eof;
    private bool _started;
    private long _line = 1;
    private byte[] _content = new byte[1024];
    private int[] _fieldStarts = new int[16];
    private int[] _fieldEnds = new int[16];
    private bool[] _fieldQuoted = new bool[16];

    public CsvRecordReader(Stream stream, string file, byte delimiter, byte quote)
    {
        _stream = stream;
        _file = file;
        _delimiter = delimiter;
        _quote = quote;
    }

    /// <summary>Fields in the record last read.</summary>
    public int FieldCount { get; private set; }

    /// <summary>1-based line where the record last read starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>Byte offset (in the decompressed data) where the record last read starts.</summary>
    public long RecordOffset { get; private set; }

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
        while (true)
        {
            if (_position >= _end && !Fill(1))
            {
                return false;
            }
            RecordLine = _line;
            RecordOffset = _bufferOffset + _position;
            if (ParseRecord() && !(FieldCount == 1 && !_fieldQuoted[0] && _fieldEnds[0] == 0))
            {
                return true;
            }
            if (_position >= _end && !Fill(1))
            {
                return false;
            }
        }
    }

    /// <summary>Parses one record from the current position; false when it was blank.</summary>
    private bool ParseRecord()
    {
        int length = 0;
        FieldCount = 0;
        StartField(0, quoted: false);
        bool inQuotes = false;
        bool afterQuote = false;
        bool fieldStart = true;
        while (true)
        {
            if (_position >= _end && !Fill(1))
            {
                if (inQuotes)
                {
                    throw Error(RecordLine, RecordOffset, "unterminated quoted field at the end of the file");
                }
                EndField(length);
                return true;
            }
            byte b = _buffer[_position++];
            if (inQuotes)
            {
                if (b == _quote)
                {
                    inQuotes = false;
                    afterQuote = true;
                    continue;
                }
                if (b == (byte)'\n')
                {
                    _line++;
                }
                Append(ref length, b);
                continue;
            }
            if (b == _delimiter)
            {
                EndField(length);
                StartField(length, quoted: false);
                afterQuote = false;
                fieldStart = true;
                continue;
            }
            if (b == (byte)'\n' || b == (byte)'\r')
            {
                if (b == (byte)'\r' && (_position < _end || Fill(1)) && _buffer[_position] == (byte)'\n')
                {
                    _position++;
                }
                _line++;
                EndField(length);
                return true;
            }
            if (b == _quote)
            {
                if (afterQuote)
                {
                    // A doubled quote inside a quoted field: one quote character of data.
                    Append(ref length, b);
                    inQuotes = true;
                    afterQuote = false;
                    continue;
                }
                if (fieldStart)
                {
                    _fieldQuoted[FieldCount] = true;
                    inQuotes = true;
                    fieldStart = false;
                    continue;
                }
            }
            if (afterQuote)
            {
                throw Error(RecordLine, _bufferOffset + _position - 1, $"unexpected character '{(char)b}' after a closing quote");
            }
            fieldStart = false;
            Append(ref length, b);
        }
    }

    private void StartField(int start, bool quoted)
    {
        if (FieldCount == _fieldStarts.Length)
        {
            Array.Resize(ref _fieldStarts, FieldCount * 2);
            Array.Resize(ref _fieldEnds, FieldCount * 2);
            Array.Resize(ref _fieldQuoted, FieldCount * 2);
        }
        _fieldStarts[FieldCount] = start;
        _fieldQuoted[FieldCount] = quoted;
    }

    private void EndField(int end)
    {
        _fieldEnds[FieldCount] = end;
        FieldCount++;
    }

    private void Append(ref int length, byte b)
    {
        if (length == _content.Length)
        {
            Array.Resize(ref _content, _content.Length * 2);
        }
        _content[length++] = b;
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

    public QueryException Error(long line, long offset, string problem) =>
        new(ErrorKind.InvalidInput, $"read_csv: '{_file}' line {line} (byte {offset}): {problem}");

    public void Dispose() => _stream.Dispose();
}
