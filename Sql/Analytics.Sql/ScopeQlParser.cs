using System.Text;
using Analytics.Sql.Parsing;
using Analytics.Sql.Syntax;
using Sprache;

namespace Analytics.Sql;

/// <summary>
/// Entry points of the ScopeQL parser. Parsing never returns a partial tree: any syntax error throws
/// <see cref="ParseException"/> pointing at the first token that could not be used.
/// </summary>
public static class ScopeQlParser
{
    /// <summary>Parses exactly one statement, optionally followed by <c>;</c>.</summary>
    public static StatementSyntax ParseStatement(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var source = new SourceText(text);
        var start = Start(source);
        var statement = Run(source, StatementGrammar.Statement, start);
        if (!statement.WasSuccessful)
        {
            throw ToException(source, statement);
        }

        var rest = (ScopeQlInput)statement.Remainder;
        if (rest.Token.IsSymbol(";"))
        {
            rest = rest.After(rest.Token);
        }

        if (rest.Token.Kind != TokenKind.End)
        {
            throw ToException(source, Result.Failure<StatementSyntax>(rest, "syntax error", ["';'", "end of input"]));
        }

        return statement.Value;
    }

    /// <summary>Parses statements separated by <c>;</c>; empty statements are skipped. Spans are relative to the whole script.</summary>
    public static IReadOnlyList<StatementSyntax> ParseScript(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var source = new SourceText(text);
        var statements = new List<StatementSyntax>();
        var rest = Start(source);
        while (true)
        {
            while (rest.Token.IsSymbol(";"))
            {
                rest = rest.After(rest.Token);
            }

            if (rest.Token.Kind == TokenKind.End)
            {
                return statements;
            }

            var statement = Run(source, StatementGrammar.Statement, rest);
            if (!statement.WasSuccessful)
            {
                throw ToException(source, statement);
            }

            statements.Add(statement.Value);
            rest = (ScopeQlInput)statement.Remainder;
            if (!rest.Token.IsSymbol(";") && rest.Token.Kind != TokenKind.End)
            {
                throw ToException(source, Result.Failure<StatementSyntax>(rest, "syntax error", ["';'", "end of input"]));
            }
        }
    }

    /// <summary>Parses a standalone expression (used by tests and tools, e.g. to re-parse a printed expression).</summary>
    public static ExpressionSyntax ParseExpression(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var source = new SourceText(text);
        var expression = Run(source, ExpressionGrammar.Expression, Start(source));
        if (!expression.WasSuccessful)
        {
            throw ToException(source, expression);
        }

        var rest = (ScopeQlInput)expression.Remainder;
        if (rest.Token.Kind != TokenKind.End)
        {
            throw ToException(source, Result.Failure<ExpressionSyntax>(rest, "syntax error", ["end of input"]));
        }

        return expression.Value;
    }

    /// <summary>
    /// The spans of the statements in <paramref name="text"/>, split on top-level <c>;</c> (not inside strings,
    /// quoted identifiers or comments). Each span runs from a statement's first token to its last, without the
    /// <c>;</c>; empty statements are left out, and a last statement without <c>;</c> is included.
    /// </summary>
    public static IReadOnlyList<SourceSpan> SplitStatementSpans(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var source = new SourceText(text);
        var spans = new List<SourceSpan>();
        var statementStart = -1;
        var lastEnd = 0;
        var offset = Lexer.SkipTrivia(text, 0);
        while (true)
        {
            var token = Lexer.Lex(source, offset);
            if (token.Kind == TokenKind.End || token.IsSymbol(";"))
            {
                if (statementStart >= 0)
                {
                    spans.Add(source.SpanOf(statementStart, lastEnd));
                    statementStart = -1;
                }

                if (token.Kind == TokenKind.End)
                {
                    return spans;
                }
            }
            else
            {
                if (statementStart < 0)
                {
                    statementStart = token.Span.Start;
                }

                lastEnd = token.Span.End;
            }

            offset = Lexer.SkipTrivia(text, token.Span.End);
        }
    }

    /// <summary>The statement texts of <see cref="SplitStatementSpans"/>.</summary>
    public static IReadOnlyList<string> SplitStatements(string text)
    {
        var spans = SplitStatementSpans(text);
        var statements = new string[spans.Count];
        for (var i = 0; i < spans.Count; i++)
        {
            statements[i] = text.Substring(spans[i].Start, spans[i].Length);
        }

        return statements;
    }

    /// <summary>
    /// The number of <c>?</c> placeholders in <paramref name="text"/> (outside strings, quoted identifiers and
    /// comments), so a script's statements can number their placeholders on from the previous ones.
    /// </summary>
    public static int CountPlaceholders(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SourceText.PlaceholderOffsets(new SourceText(text)).Count();
    }

    /// <summary>
    /// True when <paramref name="buffer"/> holds at least one statement and its last token is a top-level <c>;</c>,
    /// so an interactive shell can run it; false while a string, quoted identifier or comment is still open.
    /// </summary>
    public static bool IsComplete(string buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var source = new SourceText(buffer);
        var sawStatement = false;
        var lastIsSemicolon = false;
        var offset = Lexer.SkipTrivia(buffer, 0);
        while (true)
        {
            var token = Lexer.Lex(source, offset);
            if (token.Kind == TokenKind.End || token.IsUnterminated)
            {
                return token.Kind == TokenKind.End && sawStatement && lastIsSemicolon;
            }

            lastIsSemicolon = token.IsSymbol(";");
            sawStatement |= !lastIsSemicolon;
            offset = Lexer.SkipTrivia(buffer, token.Span.End);
        }
    }

    private static IResult<T> Run<T>(SourceText source, Parser<T> parser, ScopeQlInput input)
    {
        try
        {
            return parser(input);
        }
        catch (InsufficientExecutionStackException)
        {
            throw ToException(source, Result.Failure<T>(input, "statement is nested too deeply", []));
        }
    }

    private static ScopeQlInput Start(SourceText source) => new(source, Lexer.SkipTrivia(source.Text, 0), 0);

    private static ParseException ToException<T>(SourceText source, IResult<T> failure)
    {
        var offset = failure.Remainder.Position;
        var token = source.TokenAt(offset);
        string problem;
        var expectations = failure.Expectations.Distinct(StringComparer.Ordinal).ToList();
        if (token.Kind == TokenKind.Error)
        {
            problem = token.Value;
        }
        else if (expectations.Count > 0)
        {
            problem = $"unexpected {Describe(source, token)}, expected {JoinAlternatives(expectations)}";
        }
        else
        {
            problem = failure.Message;
        }

        var line = source.LineOf(offset);
        var column = source.ColumnOf(offset);
        var lineText = source.LineText(line);
        var caret = new StringBuilder();
        for (var i = 0; i < column - 1 && i < lineText.Length; i++)
        {
            caret.Append(lineText[i] == '\t' ? '\t' : ' ');
        }

        caret.Append('^');
        var text = $"{problem} at line {line}, column {column}\n{lineText}\n{caret}";
        return new ParseException(text, offset, line, column);
    }

    private static string Describe(SourceText source, Token token)
    {
        if (token.Kind == TokenKind.End)
        {
            return "end of input";
        }

        const int MaxLength = 40;
        var text = source.Text.Substring(token.Span.Start, token.Span.Length);
        return text.Length <= MaxLength ? $"'{text}'" : $"'{text[..MaxLength]}…'";
    }

    private static string JoinAlternatives(List<string> alternatives) => alternatives.Count == 1
        ? alternatives[0]
        : string.Join(", ", alternatives.Take(alternatives.Count - 1)) + " or " + alternatives[^1];
}
