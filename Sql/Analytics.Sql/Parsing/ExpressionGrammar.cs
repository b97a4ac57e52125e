using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Analytics.Sql.Syntax;
using Sprache;
using static Analytics.Sql.Parsing.Tokens;

namespace Analytics.Sql.Parsing;

/// <summary>
/// Expressions, by precedence climbing over scopeql.md §4.2, highest first: postfix <c>::</c>/<c>[]</c>/call, unary
/// <c>- +</c>, <c>* / %</c>, <c>+ -</c>, <c>||</c>, comparisons/IS/IN/BETWEEN (non-associative), NOT, AND, XOR, OR.
/// Each level looks at the next token to choose, so nothing is parsed twice.
/// </summary>
internal static class ExpressionGrammar
{
    public static readonly Parser<ExpressionSyntax> Expression = ParseExpression;

    public static readonly Parser<FunctionCallSyntax> FunctionCall = ParseFunctionCall;

    private static readonly Parser<ImmutableArray<ExpressionSyntax>> s_expressionList = List(Expression);
    private static readonly Parser<ImmutableArray<ArgumentSyntax>> s_argumentList = List<ArgumentSyntax>(ParseArgument);
    private static readonly Parser<Token> s_openParen = Symbol("(");
    private static readonly Parser<Token> s_closeParen = Symbol(")");
    private static readonly Parser<Token> s_closeBracket = Symbol("]");
    private static readonly Parser<Token> s_closeBrace = Symbol("}");
    private static readonly Parser<Token> s_colon = Symbol(":");
    private static readonly Parser<Token> s_arrow = Symbol("=>");
    private static readonly Parser<Token> s_from = Keyword("from");
    private static readonly Parser<Token> s_and = Keyword("and");
    private static readonly Parser<Token> s_as = Keyword("as");
    private static readonly Parser<Token> s_end = Keyword("end");
    private static readonly Parser<ObjectFieldSyntax> s_objectField = Node(
        from key in StringLiteral
        from colon in s_colon
        from value in Expression
        select (Func<SourceSpan, ObjectFieldSyntax>)(span => new ObjectFieldSyntax(key.Value, value, span)));

    private static readonly Parser<ImmutableArray<ObjectFieldSyntax>> s_objectFields = List(s_objectField);

    private static readonly Parser<CaseWhenSyntax> s_caseWhen = Node(
        from when in Keyword("when")
        from condition in Expression
        from then in Keyword("then")
        from result in Expression
        select (Func<SourceSpan, CaseWhenSyntax>)(span => new CaseWhenSyntax(condition, result, span)));

    private static readonly Parser<IEnumerable<CaseWhenSyntax>> s_caseWhens = s_caseWhen.XAtLeastOnce();
    private static readonly Parser<IOption<ExpressionSyntax>> s_caseElse = (from keyword in Keyword("else") from value in Expression select value).XOptional();

    private static IResult<ExpressionSyntax> ParseExpression(IInput input)
    {
        // Nesting recurses; fail cleanly (ScopeQlParser reports it) instead of overflowing the stack.
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var result = ParseOr(input);
        return result.WasSuccessful || !result.Remainder.Equals(input) ? result : Expect<ExpressionSyntax>(input, "expression");
    }

    private static IResult<ExpressionSyntax> ParseOr(IInput input) => Chain(input, ParseXor, "or", BinaryOperator.Or);

    private static IResult<ExpressionSyntax> ParseXor(IInput input) => Chain(input, ParseAnd, "xor", BinaryOperator.Xor);

    private static IResult<ExpressionSyntax> ParseAnd(IInput input) => Chain(input, ParseNot, "and", BinaryOperator.And);

    private static IResult<ExpressionSyntax> Chain(IInput input, Func<IInput, IResult<ExpressionSyntax>> operand, string keyword, BinaryOperator op)
    {
        var left = operand(input);
        if (!left.WasSuccessful)
        {
            return left;
        }

        var value = left.Value;
        var rest = In(left.Remainder);
        while (rest.Token.IsWord(keyword))
        {
            var right = operand(rest.After(rest.Token));
            if (!right.WasSuccessful)
            {
                return right;
            }

            value = new BinaryExpressionSyntax(op, value, right.Value, Join(value.Span, right.Value.Span));
            rest = In(right.Remainder);
        }

        return Success(value, rest);
    }

    private static IResult<ExpressionSyntax> ParseNot(IInput input)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var token = In(input).Token;
        if (!token.IsWord("not"))
        {
            return ParseComparison(input);
        }

        var operand = ParseNot(In(input).After(token));
        return operand.WasSuccessful
            ? Success<ExpressionSyntax>(new UnaryExpressionSyntax(UnaryOperator.Not, operand.Value, Join(token.Span, operand.Value.Span)), operand.Remainder)
            : operand;
    }

    private static BinaryOperator? ComparisonOperator(Token token) => token.Kind != TokenKind.Symbol ? null : token.Value switch
    {
        "=" => BinaryOperator.Equal,
        "!=" or "<>" => BinaryOperator.NotEqual,
        "<" => BinaryOperator.Less,
        "<=" => BinaryOperator.LessOrEqual,
        ">" => BinaryOperator.Greater,
        ">=" => BinaryOperator.GreaterOrEqual,
        _ => null,
    };

    private static IResult<ExpressionSyntax> ParseComparison(IInput input)
    {
        var left = ParseConcat(input);
        if (!left.WasSuccessful)
        {
            return left;
        }

        var rest = In(left.Remainder);
        var token = rest.Token;
        if (ComparisonOperator(token) is { } op)
        {
            var right = ParseConcat(rest.After(token));
            return right.WasSuccessful
                ? Success<ExpressionSyntax>(new BinaryExpressionSyntax(op, left.Value, right.Value, Join(left.Value.Span, right.Value.Span)), right.Remainder)
                : right;
        }

        if (token.IsWord("is"))
        {
            return ParseIsRest(left.Value, rest.After(token));
        }

        var negated = false;
        if (token.IsWord("not"))
        {
            var next = rest.After(token);
            if (!next.Token.IsWord("in") && !next.Token.IsWord("between"))
            {
                return left;
            }

            negated = true;
            rest = next;
            token = next.Token;
        }

        if (token.IsWord("in"))
        {
            var values = Parenthesized(Expression, allowEmpty: false)(rest.After(token));
            return values.WasSuccessful
                ? Success<ExpressionSyntax>(new InExpressionSyntax(left.Value, values.Value, negated, Join(left.Value.Span, SpanBetween(rest, values.Remainder))), values.Remainder)
                : Fail<ExpressionSyntax, ImmutableArray<ExpressionSyntax>>(values);
        }

        if (token.IsWord("between"))
        {
            var lower = ParseConcat(rest.After(token));
            if (!lower.WasSuccessful)
            {
                return lower;
            }

            var and = s_and(lower.Remainder);
            if (!and.WasSuccessful)
            {
                return Fail<ExpressionSyntax, Token>(and);
            }

            var upper = ParseConcat(and.Remainder);
            return upper.WasSuccessful
                ? Success<ExpressionSyntax>(new BetweenExpressionSyntax(left.Value, lower.Value, upper.Value, negated, Join(left.Value.Span, upper.Value.Span)), upper.Remainder)
                : upper;
        }

        return left;
    }

    private static IResult<ExpressionSyntax> ParseIsRest(ExpressionSyntax left, ScopeQlInput afterIs)
    {
        var rest = afterIs;
        var negated = false;
        if (rest.Token.IsWord("not"))
        {
            negated = true;
            rest = rest.After(rest.Token);
        }

        if (rest.Token.IsWord("distinct"))
        {
            var from = s_from(rest.After(rest.Token));
            if (!from.WasSuccessful)
            {
                return Fail<ExpressionSyntax, Token>(from);
            }

            rest = In(from.Remainder);

            // IS DISTINCT FROM is null-safe inequality, i.e. the negation of IS.
            negated = !negated;
        }

        var right = ParseConcat(rest);
        return right.WasSuccessful
            ? Success<ExpressionSyntax>(new IsExpressionSyntax(left, right.Value, negated, Join(left.Span, right.Value.Span)), right.Remainder)
            : right;
    }

    private static IResult<ExpressionSyntax> ParseConcat(IInput input) => SymbolChain(input, ParseAdditive, ConcatOperator);

    private static IResult<ExpressionSyntax> ParseAdditive(IInput input) => SymbolChain(input, ParseMultiplicative, AdditiveOperator);

    private static IResult<ExpressionSyntax> ParseMultiplicative(IInput input) => SymbolChain(input, ParseUnary, MultiplicativeOperator);

    private static BinaryOperator? ConcatOperator(Token token) => token.IsSymbol("||") ? BinaryOperator.Concat : null;

    private static BinaryOperator? AdditiveOperator(Token token) =>
        token.IsSymbol("+") ? BinaryOperator.Add : token.IsSymbol("-") ? BinaryOperator.Subtract : null;

    private static BinaryOperator? MultiplicativeOperator(Token token) =>
        token.IsSymbol("*") ? BinaryOperator.Multiply : token.IsSymbol("/") ? BinaryOperator.Divide : token.IsSymbol("%") ? BinaryOperator.Modulo : null;

    private static IResult<ExpressionSyntax> SymbolChain(IInput input, Func<IInput, IResult<ExpressionSyntax>> operand, Func<Token, BinaryOperator?> match)
    {
        var left = operand(input);
        if (!left.WasSuccessful)
        {
            return left;
        }

        var value = left.Value;
        var rest = In(left.Remainder);
        while (match(rest.Token) is { } op)
        {
            var right = operand(rest.After(rest.Token));
            if (!right.WasSuccessful)
            {
                return right;
            }

            value = new BinaryExpressionSyntax(op, value, right.Value, Join(value.Span, right.Value.Span));
            rest = In(right.Remainder);
        }

        return Success(value, rest);
    }

    private static IResult<ExpressionSyntax> ParseUnary(IInput input)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var token = In(input).Token;
        var op = token.IsSymbol("-") ? UnaryOperator.Negate : token.IsSymbol("+") ? UnaryOperator.Plus : (UnaryOperator?)null;
        if (op is null)
        {
            return ParsePostfix(input);
        }

        var operand = ParseUnary(In(input).After(token));
        return operand.WasSuccessful
            ? Success<ExpressionSyntax>(new UnaryExpressionSyntax(op.Value, operand.Value, Join(token.Span, operand.Value.Span)), operand.Remainder)
            : operand;
    }

    private static IResult<ExpressionSyntax> ParsePostfix(IInput input)
    {
        var primary = ParsePrimary(input);
        if (!primary.WasSuccessful)
        {
            return primary;
        }

        var value = primary.Value;
        var rest = In(primary.Remainder);
        while (true)
        {
            var token = rest.Token;
            if (token.IsSymbol("::"))
            {
                var type = TypeName(rest.After(token));
                if (!type.WasSuccessful)
                {
                    return Fail<ExpressionSyntax, TypeNameSyntax>(type);
                }

                value = new CastExpressionSyntax(value, type.Value, Join(value.Span, type.Value.Span));
                rest = In(type.Remainder);
            }
            else if (token.IsSymbol("["))
            {
                var subscript = ParseSubscript(value, token, rest.After(token));
                if (!subscript.WasSuccessful)
                {
                    return subscript;
                }

                value = subscript.Value;
                rest = In(subscript.Remainder);
            }
            else
            {
                return Success(value, rest);
            }
        }
    }

    /// <summary>
    /// <c>[index]</c>, or the slice <c>[start:end]</c> (either bound optional), which is sugar for
    /// <c>array_slice(target, start, end, NULL)</c> (scopeql.md Q10, an extension).
    /// </summary>
    private static IResult<ExpressionSyntax> ParseSubscript(ExpressionSyntax target, Token open, ScopeQlInput afterOpen)
    {
        var rest = afterOpen;
        ExpressionSyntax? start = null;
        if (!rest.Token.IsSymbol(":"))
        {
            var index = ParseExpression(rest);
            if (!index.WasSuccessful)
            {
                return index;
            }

            start = index.Value;
            rest = In(index.Remainder);
            if (!rest.Token.IsSymbol(":"))
            {
                var closeIndex = s_closeBracket(rest);
                return closeIndex.WasSuccessful
                    ? Success<ExpressionSyntax>(new SubscriptExpressionSyntax(target, start, Join(target.Span, closeIndex.Value.Span)), closeIndex.Remainder)
                    : Result.Failure<ExpressionSyntax>(rest, "syntax error", ["']'", "':'"]);
            }
        }

        var colon = rest.Token;
        rest = rest.After(colon);
        ExpressionSyntax? end = null;
        if (!rest.Token.IsSymbol("]"))
        {
            var bound = ParseExpression(rest);
            if (!bound.WasSuccessful)
            {
                return bound;
            }

            end = bound.Value;
            rest = In(bound.Remainder);
        }

        var close = s_closeBracket(rest);
        if (!close.WasSuccessful)
        {
            return Fail<ExpressionSyntax, Token>(close);
        }

        var sliceSpan = Join(open.Span, close.Value.Span);
        var arguments = ImmutableArray.Create(
            new ArgumentSyntax(null, target, target.Span),
            new ArgumentSyntax(null, start ?? new NullLiteralSyntax(colon.Span), start?.Span ?? colon.Span),
            new ArgumentSyntax(null, end ?? new NullLiteralSyntax(colon.Span), end?.Span ?? colon.Span),
            new ArgumentSyntax(null, new NullLiteralSyntax(sliceSpan), sliceSpan));
        var name = new IdentifierSyntax("array_slice", false, sliceSpan);
        return Success<ExpressionSyntax>(new FunctionCallSyntax(name, arguments, false, Join(target.Span, close.Value.Span)), close.Remainder);
    }

    private static IResult<ExpressionSyntax> ParsePrimary(IInput input)
    {
        var at = In(input);
        var token = at.Token;
        switch (token.Kind)
        {
            case TokenKind.Integer:
                return Success<ExpressionSyntax>(new IntegerLiteralSyntax(token.Integer, token.Span), at.After(token));
            case TokenKind.Float:
                return Success<ExpressionSyntax>(new FloatLiteralSyntax(token.Float, token.Span), at.After(token));
            case TokenKind.String:
                return Success<ExpressionSyntax>(new StringLiteralSyntax(token.Value, token.Span), at.After(token));
            case TokenKind.Binary:
                return Success<ExpressionSyntax>(new BinaryLiteralSyntax(ImmutableArray.Create(token.Bytes!), token.Span), at.After(token));
            case TokenKind.Positional:
                return Success<ExpressionSyntax>(new PositionalReferenceSyntax((int)token.Integer, token.Span), at.After(token));
            case TokenKind.Parameter:
                return Success<ExpressionSyntax>(token.Value.Length == 0
                    ? new ParameterReferenceSyntax(null, at.Text.OrdinalOfPlaceholder(token.Span.Start), token.Span)
                    : new ParameterReferenceSyntax(token.Value, -1, token.Span), at.After(token));
            case TokenKind.QuotedIdentifier:
                return ParseNameOrCall(input);
            case TokenKind.Symbol:
                return token.Value switch
                {
                    "(" => ParseParenthesized(at),
                    "[" => ParseArray(at),
                    "{" => ParseObject(at),
                    _ => Expect<ExpressionSyntax>(input, "expression"),
                };
            case TokenKind.Word:
                switch (token.Value)
                {
                    case "true":
                        return Success<ExpressionSyntax>(new BooleanLiteralSyntax(true, token.Span), at.After(token));
                    case "false":
                        return Success<ExpressionSyntax>(new BooleanLiteralSyntax(false, token.Span), at.After(token));
                    case "null":
                        return Success<ExpressionSyntax>(new NullLiteralSyntax(token.Span), at.After(token));
                    case "case":
                        return ParseCase(at);
                    case "cast":
                        return ParseCastCall(at);
                }

                if (Keywords.IsTypeKeyword(token.Value) && at.After(token).Token is { Kind: TokenKind.String } literal)
                {
                    var type = new TypeNameSyntax(token.Value, token.Span);
                    var value = new StringLiteralSyntax(literal.Value, literal.Span);
                    return Success<ExpressionSyntax>(new CastExpressionSyntax(value, type, Join(token.Span, literal.Span)), at.After(token).After(literal));
                }

                return Keywords.IsReserved(token.Value) ? Expect<ExpressionSyntax>(input, "expression") : ParseNameOrCall(input);
            default:
                return Expect<ExpressionSyntax>(input, "expression");
        }
    }

    private static IResult<ExpressionSyntax> ParseNameOrCall(IInput input)
    {
        var name = Identifier(input);
        var rest = In(name.Remainder);
        if (rest.Token.IsSymbol("("))
        {
            return ParseCallArguments(input, name.Value, rest);
        }

        var parts = ImmutableArray.CreateBuilder<IdentifierSyntax>();
        parts.Add(name.Value);
        while (rest.Token.IsSymbol("."))
        {
            var part = Identifier(rest.After(rest.Token));
            if (!part.WasSuccessful)
            {
                return Fail<ExpressionSyntax, IdentifierSyntax>(part);
            }

            parts.Add(part.Value);
            rest = In(part.Remainder);
        }

        return Success<ExpressionSyntax>(new ColumnReferenceSyntax(parts.ToImmutable(), SpanBetween(input, rest)), rest);
    }

    private static IResult<FunctionCallSyntax> ParseFunctionCall(IInput input)
    {
        var name = Identifier(input);
        if (!name.WasSuccessful)
        {
            return Fail<FunctionCallSyntax, IdentifierSyntax>(name);
        }

        var rest = In(name.Remainder);
        if (!rest.Token.IsSymbol("("))
        {
            return Expect<FunctionCallSyntax>(rest, "'('");
        }

        var call = ParseCallArguments(input, name.Value, rest);
        return call.WasSuccessful ? Success((FunctionCallSyntax)call.Value, call.Remainder) : Fail<FunctionCallSyntax, ExpressionSyntax>(call);
    }

    private static IResult<ExpressionSyntax> ParseCallArguments(IInput start, IdentifierSyntax name, ScopeQlInput open)
    {
        var rest = open.After(open.Token);
        var arguments = ImmutableArray<ArgumentSyntax>.Empty;
        var star = false;
        if (rest.Token.IsSymbol("*"))
        {
            star = true;
            rest = rest.After(rest.Token);
        }
        else if (!rest.Token.IsSymbol(")"))
        {
            var listed = s_argumentList(rest);
            if (!listed.WasSuccessful)
            {
                return Fail<ExpressionSyntax, ImmutableArray<ArgumentSyntax>>(listed);
            }

            arguments = listed.Value;
            rest = In(listed.Remainder);
        }

        var close = s_closeParen(rest);
        return close.WasSuccessful
            ? Success<ExpressionSyntax>(new FunctionCallSyntax(name, arguments, star, SpanBetween(start, close.Remainder)), close.Remainder)
            : Fail<ExpressionSyntax, Token>(close);
    }

    private static IResult<ArgumentSyntax> ParseArgument(IInput input)
    {
        var at = In(input);
        var token = at.Token;
        if ((token.Kind == TokenKind.QuotedIdentifier || (token.Kind == TokenKind.Word && !Keywords.IsReserved(token.Value)))
            && at.After(token).Token.IsSymbol("=>"))
        {
            var name = Identifier(input);
            var arrow = s_arrow(name.Remainder);
            var named = ParseExpression(arrow.Remainder);
            return named.WasSuccessful
                ? Success(new ArgumentSyntax(name.Value, named.Value, SpanBetween(input, named.Remainder)), named.Remainder)
                : Fail<ArgumentSyntax, ExpressionSyntax>(named);
        }

        var value = ParseExpression(input);
        return value.WasSuccessful
            ? Success(new ArgumentSyntax(null, value.Value, value.Value.Span), value.Remainder)
            : Fail<ArgumentSyntax, ExpressionSyntax>(value);
    }

    private static IResult<ExpressionSyntax> ParseParenthesized(ScopeQlInput open)
    {
        var inner = ParseExpression(open.After(open.Token));
        if (!inner.WasSuccessful)
        {
            return inner;
        }

        var close = s_closeParen(inner.Remainder);
        return close.WasSuccessful ? Success(inner.Value, close.Remainder) : Fail<ExpressionSyntax, Token>(close);
    }

    private static IResult<ExpressionSyntax> ParseArray(ScopeQlInput open)
    {
        var rest = open.After(open.Token);
        var elements = ImmutableArray<ExpressionSyntax>.Empty;
        if (!rest.Token.IsSymbol("]"))
        {
            var listed = s_expressionList(rest);
            if (!listed.WasSuccessful)
            {
                return Fail<ExpressionSyntax, ImmutableArray<ExpressionSyntax>>(listed);
            }

            elements = listed.Value;
            rest = In(listed.Remainder);
        }

        var close = s_closeBracket(rest);
        return close.WasSuccessful
            ? Success<ExpressionSyntax>(new ArrayExpressionSyntax(elements, SpanBetween(open, close.Remainder)), close.Remainder)
            : Fail<ExpressionSyntax, Token>(close);
    }

    private static IResult<ExpressionSyntax> ParseObject(ScopeQlInput open)
    {
        var rest = open.After(open.Token);
        var fields = ImmutableArray<ObjectFieldSyntax>.Empty;
        if (!rest.Token.IsSymbol("}"))
        {
            var listed = s_objectFields(rest);
            if (!listed.WasSuccessful)
            {
                return Fail<ExpressionSyntax, ImmutableArray<ObjectFieldSyntax>>(listed);
            }

            fields = listed.Value;
            rest = In(listed.Remainder);
        }

        var close = s_closeBrace(rest);
        return close.WasSuccessful
            ? Success<ExpressionSyntax>(new ObjectExpressionSyntax(fields, SpanBetween(open, close.Remainder)), close.Remainder)
            : Fail<ExpressionSyntax, Token>(close);
    }

    private static IResult<ExpressionSyntax> ParseCase(ScopeQlInput caseKeyword)
    {
        var rest = caseKeyword.After(caseKeyword.Token);
        ExpressionSyntax? operand = null;
        if (!rest.Token.IsWord("when"))
        {
            var parsed = ParseExpression(rest);
            if (!parsed.WasSuccessful)
            {
                return parsed;
            }

            operand = parsed.Value;
            rest = In(parsed.Remainder);
        }

        var whens = s_caseWhens(rest);
        if (!whens.WasSuccessful)
        {
            return Fail<ExpressionSyntax, IEnumerable<CaseWhenSyntax>>(whens);
        }

        var otherwise = s_caseElse(whens.Remainder);
        if (!otherwise.WasSuccessful)
        {
            return Fail<ExpressionSyntax, IOption<ExpressionSyntax>>(otherwise);
        }

        var end = s_end(otherwise.Remainder);
        return end.WasSuccessful
            ? Success<ExpressionSyntax>(
                new CaseExpressionSyntax(operand, [.. whens.Value], otherwise.Value.GetOrDefault(), SpanBetween(caseKeyword, end.Remainder)),
                end.Remainder)
            : Fail<ExpressionSyntax, Token>(end);
    }

    private static IResult<ExpressionSyntax> ParseCastCall(ScopeQlInput castKeyword)
    {
        var open = s_openParen(castKeyword.After(castKeyword.Token));
        if (!open.WasSuccessful)
        {
            return Fail<ExpressionSyntax, Token>(open);
        }

        var operand = ParseExpression(open.Remainder);
        if (!operand.WasSuccessful)
        {
            return operand;
        }

        var asKeyword = s_as(operand.Remainder);
        if (!asKeyword.WasSuccessful)
        {
            return Fail<ExpressionSyntax, Token>(asKeyword);
        }

        var type = TypeName(asKeyword.Remainder);
        if (!type.WasSuccessful)
        {
            return Fail<ExpressionSyntax, TypeNameSyntax>(type);
        }

        var close = s_closeParen(type.Remainder);
        return close.WasSuccessful
            ? Success<ExpressionSyntax>(new CastExpressionSyntax(operand.Value, type.Value, SpanBetween(castKeyword, close.Remainder)), close.Remainder)
            : Fail<ExpressionSyntax, Token>(close);
    }
}
