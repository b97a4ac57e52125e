namespace Analytics.Sql.Parsing;

internal enum TokenKind
{
    End,
    /// <summary>An unquoted word: an identifier or a keyword; <see cref="Token.Value"/> is lower-cased.</summary>
    Word,
    QuotedIdentifier,
    String,
    Binary,
    Integer,
    Float,
    Positional,
    /// <summary>A host parameter placeholder: <c>@name</c> (<see cref="Token.Value"/> is the name) or <c>?</c> (empty value).</summary>
    Parameter,
    Symbol,
    /// <summary>Text that is not a token; <see cref="Token.Value"/> says why.</summary>
    Error,
}
