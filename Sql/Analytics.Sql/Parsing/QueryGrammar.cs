using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Analytics.Sql.Syntax;
using Sprache;
using static Analytics.Sql.Parsing.ExpressionGrammar;
using static Analytics.Sql.Parsing.Tokens;

namespace Analytics.Sql.Parsing;

/// <summary>
/// Pipelines: an optional source (FROM / VALUES) and then clauses in any order, any number of times. The next
/// word decides the clause, so a clause that starts and then fails is reported where it failed.
/// </summary>
internal static class QueryGrammar
{
    /// <summary>A pipeline, possibly empty (no source, no clause): callers decide whether that is allowed.</summary>
    public static readonly Parser<PipelineSyntax> Pipeline = ParsePipeline;

    private static readonly Parser<Token> s_on = Keyword("on");
    private static readonly Parser<Token> s_closeParen = Symbol(")");

    private static readonly Parser<IOption<IdentifierSyntax>> s_alias = (from keyword in Keyword("as") from alias in Identifier select alias).XOptional();

    private static readonly Parser<AliasedExpressionSyntax> s_aliasedExpression = Node(
        from expression in Expression
        from alias in s_alias
        select (Func<SourceSpan, AliasedExpressionSyntax>)(span => new AliasedExpressionSyntax(expression, alias.GetOrDefault(), span)));

    private static readonly Parser<ImmutableArray<AliasedExpressionSyntax>> s_aliasedExpressionList = List(s_aliasedExpression);

    public static readonly Parser<ImmutableArray<ExpressionSyntax>> ExpressionList = List(Expression);

    private static readonly Parser<OrderByItemSyntax> s_orderByItem = ParseOrderByItem;

    private static readonly Parser<ImmutableArray<OrderByItemSyntax>> s_orderByList = List(s_orderByItem);

    /// <summary><c>DISTINCT ON e, … [BY order_item, …]</c>, shared with CREATE TABLE.</summary>
    public static readonly Parser<DistinctOnClauseSyntax> DistinctOn = Node(
        from distinct in Keyword("distinct")
        from onKeyword in Keyword("on")
        from keys in ExpressionList
        from orderBy in (from keyword in Keyword("by") from items in s_orderByList select items).XOptional()
        select (Func<SourceSpan, DistinctOnClauseSyntax>)(span =>
            new DistinctOnClauseSyntax(keys, orderBy.IsDefined ? orderBy.Get() : ImmutableArray<OrderByItemSyntax>.Empty, span)));

    private static readonly Parser<ImmutableArray<ExpressionSyntax>> s_valuesRow = Parenthesized(Expression, allowEmpty: false);
    private static readonly Parser<ImmutableArray<ImmutableArray<ExpressionSyntax>>> s_valuesRows = List(s_valuesRow);
    private static readonly Parser<ImmutableArray<SelectItemSyntax>> s_selectItems = List<SelectItemSyntax>(ParseSelectItem);
    private static readonly Parser<ImmutableArray<IdentifierSyntax>> s_parenthesizedIdentifiers = Parenthesized(Identifier, allowEmpty: false);

    private static readonly Parser<ReplaceItemSyntax> s_replaceItem = Node(
        from expression in Expression
        from keyword in Keyword("as")
        from column in Identifier
        select (Func<SourceSpan, ReplaceItemSyntax>)(span => new ReplaceItemSyntax(expression, column, span)));

    private static readonly Parser<ImmutableArray<ReplaceItemSyntax>> s_parenthesizedReplaceItems = Parenthesized(s_replaceItem, allowEmpty: false);

    private static readonly Parser<RenameItemSyntax> s_renameItem = Node(
        from oldName in Identifier
        from keyword in Keyword("to")
        from newName in Identifier
        select (Func<SourceSpan, RenameItemSyntax>)(span => new RenameItemSyntax(oldName, newName, span)));

    private static readonly Parser<ImmutableArray<RenameItemSyntax>> s_parenthesizedRenameItems = Parenthesized(s_renameItem, allowEmpty: false);

    private static IResult<PipelineSyntax> ParsePipeline(IInput input)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var rest = In(input);
        SourceSyntax? source = null;
        var token = rest.Token;
        if (token.IsWord("from"))
        {
            var table = ParseTableReference(rest.After(token));
            if (!table.WasSuccessful)
            {
                return Fail<PipelineSyntax, TableReferenceSyntax>(table);
            }

            source = new FromSourceSyntax(table.Value, SpanBetween(rest, table.Remainder));
            rest = In(table.Remainder);
        }
        else if (token.IsWord("values"))
        {
            var rows = s_valuesRows(rest.After(token));
            if (!rows.WasSuccessful)
            {
                return Fail<PipelineSyntax, ImmutableArray<ImmutableArray<ExpressionSyntax>>>(rows);
            }

            source = new ValuesSourceSyntax(rows.Value, SpanBetween(rest, rows.Remainder));
            rest = In(rows.Remainder);
        }

        var clauses = ImmutableArray.CreateBuilder<ClauseSyntax>();
        while (true)
        {
            var clause = ParseClause(rest);
            if (!clause.WasSuccessful)
            {
                if (!clause.Remainder.Equals(rest))
                {
                    return Fail<PipelineSyntax, ClauseSyntax>(clause);
                }

                break;
            }

            clauses.Add(clause.Value);
            rest = In(clause.Remainder);
        }

        var span = rest.Equals(input) ? In(input).Text.SpanOf(input.Position, input.Position) : SpanBetween(input, rest);
        return Success(new PipelineSyntax(source, clauses.ToImmutable(), span), rest);
    }

    /// <summary>A pipeline with at least a source or a clause, for subqueries and UNION ALL operands.</summary>
    private static IResult<PipelineSyntax> ParseNonEmptyPipeline(IInput input)
    {
        var pipeline = ParsePipeline(input);
        if (pipeline.WasSuccessful && pipeline.Value.Source is null && pipeline.Value.Clauses.IsEmpty)
        {
            return Expect<PipelineSyntax>(input, "query");
        }

        return pipeline;
    }

    private static IResult<ClauseSyntax> ParseClause(ScopeQlInput input)
    {
        var token = input.Token;
        if (token.Kind != TokenKind.Word)
        {
            return Expect<ClauseSyntax>(input, "clause");
        }

        var after = input.After(token);
        switch (token.Value)
        {
            case "where":
                return Finish(input, Expression(after), static (predicate, span) => new WhereClauseSyntax(predicate, span));
            case "select":
                return Finish(input, s_selectItems(after), static (items, span) => new SelectClauseSyntax(items, span));
            case "group":
            case "within":
            case "aggregate":
            case "window":
                return ParseGroupedClause(input);
            case "order":
                return ParseOrderBy(input);
            case "distinct":
                return Finish(input, DistinctOn(input), static (clause, span) => clause);
            case "limit":
            case "offset":
                return ParseLimit(input);
            case "sample":
                return ParseSample(input);
            case "join":
            case "inner":
            case "left":
            case "right":
            case "full":
                return ParseJoin(input);
            case "union":
                return ParseUnionAll(input);
            default:
                return Expect<ClauseSyntax>(input, "clause");
        }
    }

    private static IResult<ClauseSyntax> Finish<T>(IInput start, IResult<T> body, Func<T, SourceSpan, ClauseSyntax> make) =>
        body.WasSuccessful ? Success(make(body.Value, SpanBetween(start, body.Remainder)), body.Remainder) : Fail<ClauseSyntax, T>(body);

    private static IResult<ImmutableArray<T>> AfterTwoKeywords<T>(ScopeQlInput input, string second, Parser<ImmutableArray<T>> list)
    {
        var next = input.After(input.Token);
        if (!next.Token.IsWord(second))
        {
            return Expect<ImmutableArray<T>>(next, "'" + second.ToUpperInvariant() + "'");
        }

        return list(next.After(next.Token));
    }

    /// <summary>
    /// <c>[GROUP BY …] [WITHIN GROUP ORDER BY …] AGGREGATE …</c> and the same before WINDOW, where a bare
    /// <c>ORDER BY</c> may replace <c>WITHIN GROUP ORDER BY</c> (scopeql.md Q17).
    /// </summary>
    private static IResult<ClauseSyntax> ParseGroupedClause(ScopeQlInput input)
    {
        var rest = input;
        var groupBy = ImmutableArray<AliasedExpressionSyntax>.Empty;
        var orderBy = ImmutableArray<OrderByItemSyntax>.Empty;
        var bareOrderBy = false;
        if (rest.Token.IsWord("group"))
        {
            var keys = AfterTwoKeywords(rest, "by", s_aliasedExpressionList);
            if (!keys.WasSuccessful)
            {
                return Fail<ClauseSyntax, ImmutableArray<AliasedExpressionSyntax>>(keys);
            }

            groupBy = keys.Value;
            rest = In(keys.Remainder);
        }

        if (rest.Token.IsWord("within"))
        {
            var group = rest.After(rest.Token);
            if (!group.Token.IsWord("group"))
            {
                return Expect<ClauseSyntax>(group, "'GROUP'");
            }

            var order = ParseOrderByKeywordsAndList(group.After(group.Token));
            if (!order.WasSuccessful)
            {
                return Fail<ClauseSyntax, ImmutableArray<OrderByItemSyntax>>(order);
            }

            orderBy = order.Value;
            rest = In(order.Remainder);
        }
        else if (!groupBy.IsEmpty && rest.Token.IsWord("order"))
        {
            var order = ParseOrderByKeywordsAndList(rest);
            if (!order.WasSuccessful)
            {
                return Fail<ClauseSyntax, ImmutableArray<OrderByItemSyntax>>(order);
            }

            orderBy = order.Value;
            bareOrderBy = true;
            rest = In(order.Remainder);
        }

        return ParseAggregateOrWindow(input, rest, groupBy, orderBy, bareOrderBy);
    }

    private static IResult<ClauseSyntax> ParseAggregateOrWindow(
        IInput start, ScopeQlInput rest, ImmutableArray<AliasedExpressionSyntax> groupBy, ImmutableArray<OrderByItemSyntax> orderBy, bool bareOrderBy)
    {
        var token = rest.Token;
        if (token.IsWord("aggregate") && !bareOrderBy)
        {
            var items = s_aliasedExpressionList(rest.After(token));
            return items.WasSuccessful
                ? Success<ClauseSyntax>(new AggregateClauseSyntax(groupBy, orderBy, items.Value, SpanBetween(start, items.Remainder)), items.Remainder)
                : Fail<ClauseSyntax, ImmutableArray<AliasedExpressionSyntax>>(items);
        }

        if (token.IsWord("window"))
        {
            var items = s_aliasedExpressionList(rest.After(token));
            return items.WasSuccessful
                ? Success<ClauseSyntax>(new WindowClauseSyntax(groupBy, orderBy, items.Value, SpanBetween(start, items.Remainder)), items.Remainder)
                : Fail<ClauseSyntax, ImmutableArray<AliasedExpressionSyntax>>(items);
        }

        return Result.Failure<ClauseSyntax>(rest, "syntax error", bareOrderBy ? ["'WINDOW'"] : ["'AGGREGATE'", "'WINDOW'"]);
    }

    /// <summary><c>ORDER BY list</c>, starting at ORDER.</summary>
    private static IResult<ImmutableArray<OrderByItemSyntax>> ParseOrderByKeywordsAndList(ScopeQlInput input) =>
        input.Token.IsWord("order") ? AfterTwoKeywords(input, "by", s_orderByList) : Expect<ImmutableArray<OrderByItemSyntax>>(input, "'ORDER'");

    private static IResult<ClauseSyntax> ParseOrderBy(ScopeQlInput input)
    {
        var items = ParseOrderByKeywordsAndList(input);
        if (!items.WasSuccessful)
        {
            return Fail<ClauseSyntax, ImmutableArray<OrderByItemSyntax>>(items);
        }

        var rest = In(items.Remainder);
        if (rest.Token.IsWord("window"))
        {
            // scopeql.md Q17: an ORDER BY directly before WINDOW orders the window rather than the output.
            return ParseAggregateOrWindow(input, rest, ImmutableArray<AliasedExpressionSyntax>.Empty, items.Value, bareOrderBy: true);
        }

        return Success<ClauseSyntax>(new OrderByClauseSyntax(items.Value, SpanBetween(input, rest)), rest);
    }

    private static IResult<OrderByItemSyntax> ParseOrderByItem(IInput input)
    {
        var expression = Expression(input);
        if (!expression.WasSuccessful)
        {
            return Fail<OrderByItemSyntax, ExpressionSyntax>(expression);
        }

        var rest = In(expression.Remainder);
        var direction = SortDirection.Ascending;
        if (rest.Token.IsWord("asc"))
        {
            rest = rest.After(rest.Token);
        }
        else if (rest.Token.IsWord("desc"))
        {
            direction = SortDirection.Descending;
            rest = rest.After(rest.Token);
        }

        var nulls = NullsOrder.Default;
        if (rest.Token.IsWord("nulls"))
        {
            var which = rest.After(rest.Token);
            if (which.Token.IsWord("first"))
            {
                nulls = NullsOrder.First;
            }
            else if (which.Token.IsWord("last"))
            {
                nulls = NullsOrder.Last;
            }
            else
            {
                return Result.Failure<OrderByItemSyntax>(which, "syntax error", ["'FIRST'", "'LAST'"]);
            }

            rest = which.After(which.Token);
        }

        return Success(new OrderByItemSyntax(expression.Value, direction, nulls, SpanBetween(input, rest)), rest);
    }

    private static IResult<ClauseSyntax> ParseLimit(ScopeQlInput input)
    {
        var rest = input;
        ulong? count = null;
        ulong? offset = null;
        if (rest.Token.IsWord("limit"))
        {
            var value = IntegerLiteral(rest.After(rest.Token));
            if (!value.WasSuccessful)
            {
                return Fail<ClauseSyntax, Token>(value);
            }

            count = value.Value.Integer;
            rest = In(value.Remainder);
        }

        if (rest.Token.IsWord("offset"))
        {
            var value = IntegerLiteral(rest.After(rest.Token));
            if (!value.WasSuccessful)
            {
                return Fail<ClauseSyntax, Token>(value);
            }

            offset = value.Value.Integer;
            rest = In(value.Remainder);
        }

        return Success<ClauseSyntax>(new LimitClauseSyntax(count, offset, SpanBetween(input, rest)), rest);
    }

    private static IResult<ClauseSyntax> ParseSample(ScopeQlInput input)
    {
        var number = input.After(input.Token);
        var token = number.Token;
        if (token.Kind is not (TokenKind.Integer or TokenKind.Float))
        {
            return Expect<ClauseSyntax>(number, "number");
        }

        var percent = number.After(token);
        if (!percent.Token.IsWord("percent"))
        {
            return Expect<ClauseSyntax>(percent, "'PERCENT'");
        }

        var value = token.Kind == TokenKind.Integer ? token.Integer : token.Float;
        if (value > 100)
        {
            return Error<ClauseSyntax>(number, "SAMPLE percentage must be between 0 and 100");
        }

        var rest = percent.After(percent.Token);
        return Success<ClauseSyntax>(new SampleClauseSyntax(value, SpanBetween(input, rest)), rest);
    }

    private static IResult<ClauseSyntax> ParseJoin(ScopeQlInput input)
    {
        var rest = input;
        var kind = JoinKind.Inner;
        var token = rest.Token;
        if (!token.IsWord("join"))
        {
            kind = token.Value switch
            {
                "left" => JoinKind.Left,
                "right" => JoinKind.Right,
                "full" => JoinKind.Full,
                _ => JoinKind.Inner,
            };
            rest = rest.After(token);
            if (kind != JoinKind.Inner && rest.Token.IsWord("outer"))
            {
                rest = rest.After(rest.Token);
            }

            if (!rest.Token.IsWord("join"))
            {
                return Expect<ClauseSyntax>(rest, kind == JoinKind.Inner ? "'JOIN'" : "'OUTER' or 'JOIN'");
            }
        }

        var table = ParseTableReference(rest.After(rest.Token));
        if (!table.WasSuccessful)
        {
            return Fail<ClauseSyntax, TableReferenceSyntax>(table);
        }

        var on = s_on(table.Remainder);
        if (!on.WasSuccessful)
        {
            return Fail<ClauseSyntax, Token>(on);
        }

        var condition = Expression(on.Remainder);
        return condition.WasSuccessful
            ? Success<ClauseSyntax>(new JoinClauseSyntax(kind, table.Value, condition.Value, SpanBetween(input, condition.Remainder)), condition.Remainder)
            : Fail<ClauseSyntax, ExpressionSyntax>(condition);
    }

    private static IResult<ClauseSyntax> ParseUnionAll(ScopeQlInput input)
    {
        var all = input.After(input.Token);
        if (!all.Token.IsWord("all"))
        {
            return Expect<ClauseSyntax>(all, "'ALL'");
        }

        var rest = all.After(all.Token);
        IResult<PipelineSyntax> query;
        if (rest.Token.IsSymbol("("))
        {
            query = ParseNonEmptyPipeline(rest.After(rest.Token));
            if (query.WasSuccessful)
            {
                var close = s_closeParen(query.Remainder);
                if (!close.WasSuccessful)
                {
                    return Fail<ClauseSyntax, Token>(close);
                }

                return Success<ClauseSyntax>(new UnionAllClauseSyntax(query.Value, SpanBetween(input, close.Remainder)), close.Remainder);
            }
        }
        else
        {
            query = ParseNonEmptyPipeline(rest);
        }

        return query.WasSuccessful
            ? Success<ClauseSyntax>(new UnionAllClauseSyntax(query.Value, SpanBetween(input, query.Remainder)), query.Remainder)
            : Fail<ClauseSyntax, PipelineSyntax>(query);
    }

    /// <summary><c>name [AS a]</c>, <c>f(args) [AS a]</c> or <c>( pipeline ) [AS a]</c>.</summary>
    private static IResult<TableReferenceSyntax> ParseTableReference(IInput input)
    {
        var at = In(input);
        var token = at.Token;
        if (token.IsSymbol("("))
        {
            var query = ParseNonEmptyPipeline(at.After(token));
            if (!query.WasSuccessful)
            {
                return Fail<TableReferenceSyntax, PipelineSyntax>(query);
            }

            var close = s_closeParen(query.Remainder);
            if (!close.WasSuccessful)
            {
                return Fail<TableReferenceSyntax, Token>(close);
            }

            return WithAlias(input, close.Remainder, alias => new SubqueryTableSyntax(query.Value, alias, default));
        }

        if (at.After(token).Token.IsSymbol("(") && token.Kind is TokenKind.Word or TokenKind.QuotedIdentifier)
        {
            var call = FunctionCall(input);
            if (!call.WasSuccessful)
            {
                return Fail<TableReferenceSyntax, FunctionCallSyntax>(call);
            }

            return WithAlias(input, call.Remainder, alias => new TableFunctionSyntax(call.Value, alias, default));
        }

        var name = QualifiedName(input);
        if (!name.WasSuccessful)
        {
            return name.Remainder.Equals(input) ? Expect<TableReferenceSyntax>(input, "table name") : Fail<TableReferenceSyntax, QualifiedNameSyntax>(name);
        }

        return WithAlias(input, name.Remainder, alias => new NamedTableSyntax(name.Value, alias, default));
    }

    private static IResult<TableReferenceSyntax> WithAlias(IInput start, IInput rest, Func<IdentifierSyntax?, TableReferenceSyntax> make)
    {
        var alias = s_alias(rest);
        if (!alias.WasSuccessful)
        {
            return Fail<TableReferenceSyntax, IOption<IdentifierSyntax>>(alias);
        }

        var table = make(alias.Value.GetOrDefault()) with { Span = SpanBetween(start, alias.Remainder) };
        return Success(table, alias.Remainder);
    }

    private static IResult<SelectItemSyntax> ParseSelectItem(IInput input)
    {
        var at = In(input);
        var token = at.Token;
        var qualifier = ImmutableArray<IdentifierSyntax>.Empty;
        var rest = at;
        if (token.Kind is TokenKind.Word or TokenKind.QuotedIdentifier)
        {
            // qualifier.* — looked ahead token by token, so a plain column reference is not parsed twice.
            var parts = ImmutableArray.CreateBuilder<IdentifierSyntax>();
            var probe = at;
            while (Identifier(probe) is { WasSuccessful: true } part && In(part.Remainder).Token.IsSymbol("."))
            {
                parts.Add(part.Value);
                var dot = In(part.Remainder);
                probe = dot.After(dot.Token);
                if (probe.Token.IsSymbol("*"))
                {
                    qualifier = parts.ToImmutable();
                    rest = probe;
                    break;
                }
            }
        }

        if (!rest.Token.IsSymbol("*"))
        {
            var expression = Expression(input);
            if (!expression.WasSuccessful)
            {
                return Fail<SelectItemSyntax, ExpressionSyntax>(expression);
            }

            var alias = s_alias(expression.Remainder);
            return alias.WasSuccessful
                ? Success<SelectItemSyntax>(new ExpressionSelectItemSyntax(expression.Value, alias.Value.GetOrDefault(), SpanBetween(input, alias.Remainder)), alias.Remainder)
                : Fail<SelectItemSyntax, IOption<IdentifierSyntax>>(alias);
        }

        return ParseStarModifiers(input, rest.After(rest.Token), qualifier);
    }

    /// <summary>
    /// EXCLUDE / REPLACE / RENAME after a star, in any order. A parenthesised modifier takes a list; without
    /// parentheses it takes exactly one item, since a comma there already separates select items.
    /// </summary>
    private static IResult<SelectItemSyntax> ParseStarModifiers(IInput start, ScopeQlInput rest, ImmutableArray<IdentifierSyntax> qualifier)
    {
        var exclude = ImmutableArray.CreateBuilder<IdentifierSyntax>();
        var replace = ImmutableArray.CreateBuilder<ReplaceItemSyntax>();
        var rename = ImmutableArray.CreateBuilder<RenameItemSyntax>();
        while (true)
        {
            var token = rest.Token;
            var after = rest.After(token);
            var parenthesized = after.Token.IsSymbol("(");
            if (token.IsWord("exclude"))
            {
                var items = parenthesized ? s_parenthesizedIdentifiers(after) : Single(Identifier(after));
                if (!items.WasSuccessful)
                {
                    return Fail<SelectItemSyntax, ImmutableArray<IdentifierSyntax>>(items);
                }

                exclude.AddRange(items.Value);
                rest = In(items.Remainder);
            }
            else if (token.IsWord("replace"))
            {
                var items = parenthesized ? s_parenthesizedReplaceItems(after) : Single(s_replaceItem(after));
                if (!items.WasSuccessful)
                {
                    return Fail<SelectItemSyntax, ImmutableArray<ReplaceItemSyntax>>(items);
                }

                replace.AddRange(items.Value);
                rest = In(items.Remainder);
            }
            else if (token.IsWord("rename"))
            {
                var items = parenthesized ? s_parenthesizedRenameItems(after) : Single(s_renameItem(after));
                if (!items.WasSuccessful)
                {
                    return Fail<SelectItemSyntax, ImmutableArray<RenameItemSyntax>>(items);
                }

                rename.AddRange(items.Value);
                rest = In(items.Remainder);
            }
            else
            {
                break;
            }
        }

        return Success<SelectItemSyntax>(
            new StarSelectItemSyntax(qualifier, exclude.ToImmutable(), replace.ToImmutable(), rename.ToImmutable(), SpanBetween(start, rest)), rest);
    }

    private static IResult<ImmutableArray<T>> Single<T>(IResult<T> item) =>
        item.WasSuccessful ? Success(ImmutableArray.Create(item.Value), item.Remainder) : Fail<ImmutableArray<T>, T>(item);
}
