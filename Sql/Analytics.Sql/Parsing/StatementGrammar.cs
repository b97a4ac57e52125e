using System.Collections.Immutable;
using Analytics.Sql.Syntax;
using Sprache;
using static Analytics.Sql.Parsing.ExpressionGrammar;
using static Analytics.Sql.Parsing.QueryGrammar;
using static Analytics.Sql.Parsing.Tokens;

namespace Analytics.Sql.Parsing;

/// <summary>Statements: queries (optionally ending in INSERT INTO), CREATE/DROP TABLE and EXPLAIN.</summary>
internal static class StatementGrammar
{
    public static readonly Parser<StatementSyntax> Statement = ParseStatement;

    private static readonly Parser<ImmutableArray<IdentifierSyntax>> s_insertColumns = Parenthesized(Identifier, allowEmpty: false);
    private static readonly Parser<ImmutableArray<ColumnDefinitionSyntax>> s_columnDefinitions = Parenthesized<ColumnDefinitionSyntax>(ParseColumnDefinition, allowEmpty: false);

    private static readonly Parser<TablePropertySyntax> s_tableProperty = Node(
        from key in StringLiteral
        from assign in Symbol("=")
        from value in Expression
        select (Func<SourceSpan, TablePropertySyntax>)(span => new TablePropertySyntax(key.Value, value, span)));

    private static readonly Parser<ImmutableArray<TablePropertySyntax>> s_tableProperties = Parenthesized(s_tableProperty, allowEmpty: false);

    private static IResult<StatementSyntax> ParseStatement(IInput input)
    {
        var at = In(input);
        var token = at.Token;
        if (token.IsWord("create"))
        {
            var next = at.After(token);
            return next.Token.IsWord("table") ? ParseCreateTable(at, next.After(next.Token)) : Expect<StatementSyntax>(next, "'TABLE'");
        }

        if (token.IsWord("drop"))
        {
            var next = at.After(token);
            return next.Token.IsWord("table") ? ParseDropTable(at, next.After(next.Token)) : Expect<StatementSyntax>(next, "'TABLE'");
        }

        if (token.IsWord("explain"))
        {
            var rest = at.After(token);
            var analyze = rest.Token.IsWord("analyze");
            if (analyze)
            {
                rest = rest.After(rest.Token);
            }

            var inner = ParseStatement(rest);
            return inner.WasSuccessful
                ? Success<StatementSyntax>(new ExplainStatementSyntax(analyze, inner.Value, SpanBetween(at, inner.Remainder)), inner.Remainder)
                : inner;
        }

        return ParseQuery(at);
    }

    private static IResult<StatementSyntax> ParseQuery(ScopeQlInput input)
    {
        var pipeline = Pipeline(input);
        if (!pipeline.WasSuccessful)
        {
            return Fail<StatementSyntax, PipelineSyntax>(pipeline);
        }

        var rest = In(pipeline.Remainder);
        InsertTargetSyntax? insert = null;
        if (rest.Token.IsWord("insert"))
        {
            var target = ParseInsertTarget(rest);
            if (!target.WasSuccessful)
            {
                return Fail<StatementSyntax, InsertTargetSyntax>(target);
            }

            insert = target.Value;
            rest = In(target.Remainder);
        }
        else if (pipeline.Value.Source is null && pipeline.Value.Clauses.IsEmpty)
        {
            return Result.Failure<StatementSyntax>(input, "syntax error", ["statement"]);
        }

        return Success<StatementSyntax>(new QueryStatementSyntax(pipeline.Value, insert, SpanBetween(input, rest)), rest);
    }

    private static IResult<InsertTargetSyntax> ParseInsertTarget(ScopeQlInput insertKeyword)
    {
        var into = insertKeyword.After(insertKeyword.Token);
        if (!into.Token.IsWord("into"))
        {
            return Expect<InsertTargetSyntax>(into, "'INTO'");
        }

        var table = QualifiedName(into.After(into.Token));
        if (!table.WasSuccessful)
        {
            return Fail<InsertTargetSyntax, QualifiedNameSyntax>(table);
        }

        var rest = In(table.Remainder);
        var columns = ImmutableArray<IdentifierSyntax>.Empty;
        if (rest.Token.IsSymbol("("))
        {
            var listed = s_insertColumns(rest);
            if (!listed.WasSuccessful)
            {
                return Fail<InsertTargetSyntax, ImmutableArray<IdentifierSyntax>>(listed);
            }

            columns = listed.Value;
            rest = In(listed.Remainder);
        }

        return Success(new InsertTargetSyntax(table.Value, columns, SpanBetween(insertKeyword, rest)), rest);
    }

    /// <summary>Consumes <c>IF [NOT] EXISTS</c> when present; <paramref name="negated"/> says which form is legal.</summary>
    private static IResult<bool> ParseIfExists(ScopeQlInput input, bool negated)
    {
        if (!input.Token.IsWord("if"))
        {
            return Success(false, input);
        }

        var rest = input.After(input.Token);
        if (negated)
        {
            if (!rest.Token.IsWord("not"))
            {
                return Expect<bool>(rest, "'NOT'");
            }

            rest = rest.After(rest.Token);
        }

        return rest.Token.IsWord("exists") ? Success(true, rest.After(rest.Token)) : Expect<bool>(rest, "'EXISTS'");
    }

    private static IResult<StatementSyntax> ParseDropTable(ScopeQlInput start, ScopeQlInput afterTable)
    {
        var ifExists = ParseIfExists(afterTable, negated: false);
        if (!ifExists.WasSuccessful)
        {
            return Fail<StatementSyntax, bool>(ifExists);
        }

        var name = QualifiedName(ifExists.Remainder);
        return name.WasSuccessful
            ? Success<StatementSyntax>(new DropTableStatementSyntax(ifExists.Value, name.Value, SpanBetween(start, name.Remainder)), name.Remainder)
            : Fail<StatementSyntax, QualifiedNameSyntax>(name);
    }

    private static IResult<StatementSyntax> ParseCreateTable(ScopeQlInput start, ScopeQlInput afterTable)
    {
        var ifNotExists = ParseIfExists(afterTable, negated: true);
        if (!ifNotExists.WasSuccessful)
        {
            return Fail<StatementSyntax, bool>(ifNotExists);
        }

        var name = QualifiedName(ifNotExists.Remainder);
        if (!name.WasSuccessful)
        {
            return Fail<StatementSyntax, QualifiedNameSyntax>(name);
        }

        var columns = s_columnDefinitions(name.Remainder);
        if (!columns.WasSuccessful)
        {
            return Fail<StatementSyntax, ImmutableArray<ColumnDefinitionSyntax>>(columns);
        }

        ImmutableArray<ExpressionSyntax>? partitionBy = null;
        ImmutableArray<ExpressionSyntax>? clusterBy = null;
        DistinctOnClauseSyntax? distinctOn = null;
        string? comment = null;
        ImmutableArray<TablePropertySyntax>? properties = null;
        var rest = In(columns.Remainder);
        while (true)
        {
            var token = rest.Token;
            var option = token.Kind == TokenKind.Word ? token.Value : null;
            var duplicate = option switch
            {
                "partition" => partitionBy is not null,
                "cluster" => clusterBy is not null,
                "distinct" => distinctOn is not null,
                "comment" => comment is not null,
                "with" => properties is not null,
                _ => false,
            };
            if (duplicate)
            {
                return Error<StatementSyntax>(rest, $"{option!.ToUpperInvariant()} is given more than once");
            }

            switch (option)
            {
                case "partition":
                case "cluster":
                {
                    var keys = ParseKeywordBy(rest, ExpressionList);
                    if (!keys.WasSuccessful)
                    {
                        return Fail<StatementSyntax, ImmutableArray<ExpressionSyntax>>(keys);
                    }

                    if (option == "partition")
                    {
                        partitionBy = keys.Value;
                    }
                    else
                    {
                        clusterBy = keys.Value;
                    }

                    rest = In(keys.Remainder);
                    continue;
                }

                case "distinct":
                {
                    var clause = DistinctOn(rest);
                    if (!clause.WasSuccessful)
                    {
                        return Fail<StatementSyntax, DistinctOnClauseSyntax>(clause);
                    }

                    distinctOn = clause.Value;
                    rest = In(clause.Remainder);
                    continue;
                }

                case "comment":
                {
                    var afterComment = rest.After(token);
                    var text = StringLiteral(afterComment.Token.IsSymbol("=") ? afterComment.After(afterComment.Token) : afterComment);
                    if (!text.WasSuccessful)
                    {
                        return Fail<StatementSyntax, Token>(text);
                    }

                    comment = text.Value.Value;
                    rest = In(text.Remainder);
                    continue;
                }

                case "with":
                {
                    var listed = s_tableProperties(rest.After(token));
                    if (!listed.WasSuccessful)
                    {
                        return Fail<StatementSyntax, ImmutableArray<TablePropertySyntax>>(listed);
                    }

                    properties = listed.Value;
                    rest = In(listed.Remainder);
                    continue;
                }
            }

            break;
        }

        return Success<StatementSyntax>(
            new CreateTableStatementSyntax(
                ifNotExists.Value,
                name.Value,
                columns.Value,
                partitionBy ?? ImmutableArray<ExpressionSyntax>.Empty,
                clusterBy ?? ImmutableArray<ExpressionSyntax>.Empty,
                distinctOn,
                comment,
                properties ?? ImmutableArray<TablePropertySyntax>.Empty,
                SpanBetween(start, rest)),
            rest);
    }

    /// <summary><c>KEYWORD BY list</c>, starting at the keyword.</summary>
    private static IResult<ImmutableArray<T>> ParseKeywordBy<T>(ScopeQlInput input, Parser<ImmutableArray<T>> list)
    {
        var by = input.After(input.Token);
        return by.Token.IsWord("by") ? list(by.After(by.Token)) : Expect<ImmutableArray<T>>(by, "'BY'");
    }

    private static IResult<ColumnDefinitionSyntax> ParseColumnDefinition(IInput input)
    {
        var name = Identifier(input);
        if (!name.WasSuccessful)
        {
            return Fail<ColumnDefinitionSyntax, IdentifierSyntax>(name);
        }

        var type = TypeName(name.Remainder);
        if (!type.WasSuccessful)
        {
            return Fail<ColumnDefinitionSyntax, TypeNameSyntax>(type);
        }

        bool? nullable = null;
        string? comment = null;
        var rest = In(type.Remainder);
        while (true)
        {
            var token = rest.Token;
            if (nullable is null && token.IsWord("null"))
            {
                nullable = true;
                rest = rest.After(token);
            }
            else if (nullable is null && token.IsWord("not"))
            {
                var next = rest.After(token);
                if (!next.Token.IsWord("null"))
                {
                    return Expect<ColumnDefinitionSyntax>(next, "'NULL'");
                }

                nullable = false;
                rest = next.After(next.Token);
            }
            else if (comment is null && token.IsWord("comment"))
            {
                var afterComment = rest.After(token);
                var text = StringLiteral(afterComment.Token.IsSymbol("=") ? afterComment.After(afterComment.Token) : afterComment);
                if (!text.WasSuccessful)
                {
                    return Fail<ColumnDefinitionSyntax, Token>(text);
                }

                comment = text.Value.Value;
                rest = In(text.Remainder);
            }
            else
            {
                break;
            }
        }

        return Success(new ColumnDefinitionSyntax(name.Value, type.Value, nullable, comment, SpanBetween(input, rest)), rest);
    }
}
