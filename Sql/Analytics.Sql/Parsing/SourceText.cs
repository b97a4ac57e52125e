namespace Analytics.Sql.Parsing;

/// <summary>
/// The statement text plus what the parser needs to answer cheaply and repeatedly: line starts (offset → line and
/// column) and a memo of the token at each offset, because alternatives re-read the same token.
/// </summary>
internal sealed class SourceText
{
    private readonly int[] _lineStarts;
    private readonly Dictionary<int, Token> _tokens = new();

    public SourceText(string text)
    {
        Text = text;
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = starts.ToArray();
    }

    public string Text { get; }

    /// <summary>1-based line of an offset.</summary>
    public int LineOf(int offset)
    {
        var index = Array.BinarySearch(_lineStarts, offset);
        return index >= 0 ? index + 1 : ~index;
    }

    /// <summary>1-based column of an offset.</summary>
    public int ColumnOf(int offset) => offset - _lineStarts[LineOf(offset) - 1] + 1;

    public SourceSpan SpanOf(int start, int end) => new(start, end - start, LineOf(start), ColumnOf(start));

    /// <summary>The full text of the 1-based line, without its line break.</summary>
    public string LineText(int line)
    {
        var start = _lineStarts[line - 1];
        var end = line < _lineStarts.Length ? _lineStarts[line] : Text.Length;
        while (end > start && (Text[end - 1] == '\n' || Text[end - 1] == '\r'))
        {
            end--;
        }

        return Text[start..end];
    }

    public Token TokenAt(int offset)
    {
        if (!_tokens.TryGetValue(offset, out var token))
        {
            token = Lexer.Lex(this, offset);
            _tokens[offset] = token;
        }

        return token;
    }
}
