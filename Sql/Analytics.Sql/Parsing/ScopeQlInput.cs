using Sprache;

namespace Analytics.Sql.Parsing;

/// <summary>
/// Sprache input positioned on a token (trivia is skipped after each token), which also remembers where the previous
/// token ended so a node's span stops at its last token rather than at the trivia after it.
/// </summary>
internal sealed class ScopeQlInput : IInput
{
    private Dictionary<object, object>? _memos;

    public ScopeQlInput(SourceText text, int position, int previousTokenEnd)
    {
        Text = text;
        Position = position;
        PreviousTokenEnd = previousTokenEnd;
    }

    public SourceText Text { get; }

    public int PreviousTokenEnd { get; }

    public string Source => Text.Text;

    public char Current => Text.Text[Position];

    public bool AtEnd => Position >= Text.Text.Length;

    public int Position { get; }

    public int Line => Text.LineOf(Position);

    public int Column => Text.ColumnOf(Position);

    public IDictionary<object, object> Memos => _memos ??= new Dictionary<object, object>();

    public Token Token => Text.TokenAt(Position);

    public IInput Advance() => new ScopeQlInput(Text, Position + 1, PreviousTokenEnd);

    /// <summary>The input after <paramref name="token"/> and the trivia that follows it.</summary>
    public ScopeQlInput After(Token token) => new(Text, Lexer.SkipTrivia(Text.Text, token.Span.End), token.Span.End);

    public bool Equals(IInput? other) => other is ScopeQlInput input && ReferenceEquals(input.Text, Text) && input.Position == Position;

    public override bool Equals(object? obj) => Equals(obj as IInput);

    public override int GetHashCode() => Position;
}
