namespace Analytics.Sql.Parsing;

/// <summary>
/// One lexical token. <see cref="Value"/> is the decoded text (lower-cased word, unescaped string or identifier,
/// the symbol itself, or the error description); numbers carry their value in <see cref="Integer"/> or
/// <see cref="Float"/>, binary literals in <see cref="Bytes"/>.
/// </summary>
internal readonly record struct Token(TokenKind Kind, SourceSpan Span, string Value)
{
    public ulong Integer { get; init; }

    public double Float { get; init; }

    public byte[]? Bytes { get; init; }

    /// <summary>For <see cref="TokenKind.Error"/>: the text runs to the end of the input (an unclosed quote or comment).</summary>
    public bool IsUnterminated { get; init; }

    public bool IsWord(string lowerCaseWord) => Kind == TokenKind.Word && string.Equals(Value, lowerCaseWord, StringComparison.Ordinal);

    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && string.Equals(Value, symbol, StringComparison.Ordinal);
}
