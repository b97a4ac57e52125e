namespace Analytics.Sql.Parsing;

/// <summary>
/// The statement text plus what the parser needs to answer cheaply and repeatedly: line starts (offset → line and
/// column) and a memo of the token at each offset, because alternatives re-read the same token.
/// </summary>
internal sealed class SourceText
{
    private readonly int[] _lineStarts;
    private readonly Dictionary<int, Token> _tokens = new();
    private int[]? _placeholders;

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

    /// <summary>
    /// How many <c>?</c> placeholders precede the one at <paramref name="offset"/>: counted over the token stream, so
    /// the parser's backtracking cannot skew the numbering.
    /// </summary>
    public int OrdinalOfPlaceholder(int offset)
    {
        _placeholders ??= [.. PlaceholderOffsets(this)];
        return Array.BinarySearch(_placeholders, offset);
    }

    /// <summary>The offsets of the <c>?</c> tokens, in order (strings, identifiers and comments are skipped).</summary>
    public static IEnumerable<int> PlaceholderOffsets(SourceText source)
    {
        var offset = Lexer.SkipTrivia(source.Text, 0);
        while (true)
        {
            var token = Lexer.Lex(source, offset);
            if (token.Kind == TokenKind.End || token.IsUnterminated)
            {
                yield break;
            }

            if (token is { Kind: TokenKind.Parameter, Value.Length: 0 })
            {
                yield return token.Span.Start;
            }

            offset = Lexer.SkipTrivia(source.Text, token.Span.End);
        }
    }
}
