using System.Collections.Immutable;
using Analytics.Sql.Syntax;
using Sprache;

namespace Analytics.Sql.Parsing;

/// <summary>
/// Token-level Sprache parsers and the small helpers every grammar class shares. A failing token parser never
/// consumes input, so <c>XOr</c>/<c>XOptional</c> only backtrack over alternatives that did not start.
/// </summary>
internal static class Tokens
{
    public static readonly Parser<IdentifierSyntax> Identifier = ParseIdentifier;
    public static readonly Parser<TypeNameSyntax> TypeName = ParseTypeName;
    public static readonly Parser<Token> StringLiteral = Kind(TokenKind.String, "string literal");
    public static readonly Parser<Token> IntegerLiteral = Kind(TokenKind.Integer, "integer literal");
    public static readonly Parser<QualifiedNameSyntax> QualifiedName = ParseQualifiedName;

    public static ScopeQlInput In(IInput input) => (ScopeQlInput)input;

    /// <summary>A keyword, given in lower case; it matches unquoted words case-insensitively.</summary>
    public static Parser<Token> Keyword(string word)
    {
        var expectation = "'" + word.ToUpperInvariant() + "'";
        return input =>
        {
            var token = In(input).Token;
            return token.IsWord(word) ? Result.Success(token, In(input).After(token)) : Expect<Token>(input, expectation);
        };
    }

    public static Parser<Token> Symbol(string symbol)
    {
        var expectation = "'" + symbol + "'";
        return input =>
        {
            var token = In(input).Token;
            return token.IsSymbol(symbol) ? Result.Success(token, In(input).After(token)) : Expect<Token>(input, expectation);
        };
    }

    public static Parser<Token> Kind(TokenKind kind, string expectation) => input =>
    {
        var token = In(input).Token;
        return token.Kind == kind ? Result.Success(token, In(input).After(token)) : Expect<Token>(input, expectation);
    };

    public static IResult<T> Expect<T>(IInput at, string expectation) => Result.Failure<T>(at, "syntax error", [expectation]);

    /// <summary>A failure that is not about a missing token (e.g. a duplicate option); reported verbatim.</summary>
    public static IResult<T> Error<T>(IInput at, string message) => Result.Failure<T>(at, message, []);

    public static IResult<T> Fail<T, TFrom>(IResult<TFrom> failure) => Result.Failure<T>(failure.Remainder, failure.Message, failure.Expectations);

    public static IResult<T> Success<T>(T value, IInput remainder) => Result.Success(value, remainder);

    /// <summary>The span from the start of <paramref name="start"/> to the end of the last token before <paramref name="end"/>.</summary>
    public static SourceSpan SpanBetween(IInput start, IInput end) => In(start).Text.SpanOf(start.Position, In(end).PreviousTokenEnd);

    public static SourceSpan Join(SourceSpan first, SourceSpan last) => new(first.Start, last.End - first.Start, first.Line, first.Column);

    /// <summary>Runs a parser whose value still needs its span, and gives it the span of the text it consumed.</summary>
    public static Parser<T> Node<T>(Parser<Func<SourceSpan, T>> parser) => input =>
    {
        var result = parser(input);
        return result.WasSuccessful ? Success(result.Value(SpanBetween(input, result.Remainder)), result.Remainder) : Fail<T, Func<SourceSpan, T>>(result);
    };

    /// <summary>
    /// <c>item (',' item)* [',']</c>. A comma followed by something that does not start an item is a trailing comma;
    /// an item that starts and then fails is an error.
    /// </summary>
    public static Parser<ImmutableArray<T>> List<T>(Parser<T> item) => input =>
    {
        var first = item(input);
        if (!first.WasSuccessful)
        {
            return Fail<ImmutableArray<T>, T>(first);
        }

        var items = ImmutableArray.CreateBuilder<T>();
        items.Add(first.Value);
        var rest = In(first.Remainder);
        while (rest.Token.IsSymbol(","))
        {
            var afterComma = rest.After(rest.Token);
            var next = item(afterComma);
            if (!next.WasSuccessful)
            {
                if (!next.Remainder.Equals(afterComma))
                {
                    return Fail<ImmutableArray<T>, T>(next);
                }

                rest = afterComma;
                break;
            }

            items.Add(next.Value);
            rest = In(next.Remainder);
        }

        return Success(items.ToImmutable(), rest);
    };

    /// <summary><c>'(' list ')'</c>, or <c>'(' ')'</c> when <paramref name="allowEmpty"/>.</summary>
    public static Parser<ImmutableArray<T>> Parenthesized<T>(Parser<T> item, bool allowEmpty)
    {
        var list = List(item);
        var open = Symbol("(");
        var close = Symbol(")");
        return input =>
        {
            var opened = open(input);
            if (!opened.WasSuccessful)
            {
                return Fail<ImmutableArray<T>, Token>(opened);
            }

            var items = ImmutableArray<T>.Empty;
            var rest = opened.Remainder;
            if (!(allowEmpty && In(rest).Token.IsSymbol(")")))
            {
                var listed = list(rest);
                if (!listed.WasSuccessful)
                {
                    return Fail<ImmutableArray<T>, ImmutableArray<T>>(listed);
                }

                items = listed.Value;
                rest = listed.Remainder;
            }

            var closed = close(rest);
            return closed.WasSuccessful ? Success(items, closed.Remainder) : Fail<ImmutableArray<T>, Token>(closed);
        };
    }

    private static IResult<IdentifierSyntax> ParseIdentifier(IInput input)
    {
        var token = In(input).Token;
        if (token.Kind == TokenKind.QuotedIdentifier || (token.Kind == TokenKind.Word && !Keywords.IsReserved(token.Value)))
        {
            return Success(new IdentifierSyntax(token.Value, token.Kind == TokenKind.QuotedIdentifier, token.Span), In(input).After(token));
        }

        return Expect<IdentifierSyntax>(input, "identifier");
    }

    private static IResult<TypeNameSyntax> ParseTypeName(IInput input)
    {
        var token = In(input).Token;
        return token.Kind == TokenKind.Word && !Keywords.IsReserved(token.Value)
            ? Success(new TypeNameSyntax(token.Value, token.Span), In(input).After(token))
            : Expect<TypeNameSyntax>(input, "type name");
    }

    private static IResult<QualifiedNameSyntax> ParseQualifiedName(IInput input)
    {
        var first = ParseIdentifier(input);
        if (!first.WasSuccessful)
        {
            return Fail<QualifiedNameSyntax, IdentifierSyntax>(first);
        }

        var parts = ImmutableArray.CreateBuilder<IdentifierSyntax>();
        parts.Add(first.Value);
        var rest = In(first.Remainder);
        while (rest.Token.IsSymbol("."))
        {
            var part = ParseIdentifier(rest.After(rest.Token));
            if (!part.WasSuccessful)
            {
                return Fail<QualifiedNameSyntax, IdentifierSyntax>(part);
            }

            parts.Add(part.Value);
            rest = In(part.Remainder);
        }

        return Success(new QualifiedNameSyntax(parts.ToImmutable(), SpanBetween(input, rest)), rest);
    }
}
