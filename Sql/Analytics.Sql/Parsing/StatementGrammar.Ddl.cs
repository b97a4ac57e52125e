using System.Collections.Immutable;
using Analytics.Sql.Syntax;
using Sprache;
using static Analytics.Sql.Parsing.ExpressionGrammar;
using static Analytics.Sql.Parsing.QueryGrammar;
using static Analytics.Sql.Parsing.Tokens;

namespace Analytics.Sql.Parsing;

internal static partial class StatementGrammar
{
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

        // An external table (WITH ('format' = …)) may leave its columns to the format: the column list is then omitted.
        var columns = In(name.Remainder).Token.IsWord("with")
            ? Success(ImmutableArray<ColumnDefinitionSyntax>.Empty, name.Remainder)
            : s_columnDefinitions(name.Remainder);
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
                    var text = ParseComment(rest);
                    if (!text.WasSuccessful)
                    {
                        return Fail<StatementSyntax, string>(text);
                    }

                    comment = text.Value;
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
                var text = ParseComment(rest);
                if (!text.WasSuccessful)
                {
                    return Fail<ColumnDefinitionSyntax, string>(text);
                }

                comment = text.Value;
                rest = In(text.Remainder);
            }
            else
            {
                break;
            }
        }

        return Success(new ColumnDefinitionSyntax(name.Value, type.Value, nullable, comment, SpanBetween(input, rest)), rest);
    }

    private static IResult<StatementSyntax> ParseCreate(ScopeQlInput start, ScopeQlInput afterCreate)
    {
        var rest = afterCreate;
        var orReplace = false;
        if (rest.Token.IsWord("or"))
        {
            var replace = rest.After(rest.Token);
            if (!replace.Token.IsWord("replace"))
            {
                return Expect<StatementSyntax>(replace, "'REPLACE'");
            }

            orReplace = true;
            rest = replace.After(replace.Token);
            if (!rest.Token.IsWord("view"))
            {
                return Expect<StatementSyntax>(rest, "'VIEW'");
            }
        }

        var token = rest.Token;
        var after = rest.After(token);
        if (token.Kind == TokenKind.Word)
        {
            switch (token.Value)
            {
                case "table":
                    return ParseCreateTable(start, after);
                case "database":
                case "schema":
                    return ParseCreateContainer(start, after, token.Value == "database");
                case "view":
                    return ParseCreateView(start, after, orReplace);
            }

            if (IndexKindOf(token.Value) is { } kind)
            {
                return after.Token.IsWord("index") ? ParseCreateIndex(start, after.After(after.Token), kind, token.Value) : Expect<StatementSyntax>(after, "'INDEX'");
            }
        }

        return Result.Failure<StatementSyntax>(
            rest, "syntax error", ["'TABLE'", "'DATABASE'", "'SCHEMA'", "'VIEW'", "'POINT'", "'RANGE'", "'PATTERN'", "'SEARCH'", "'MATERIALIZED'"]);
    }

    /// <summary>scopeql.md Q22: EQUALITY, OBJECT and SMART are legacy spellings of POINT.</summary>
    private static IndexKind? IndexKindOf(string word) => word switch
    {
        "point" or "equality" or "object" or "smart" => IndexKind.Point,
        "range" => IndexKind.Range,
        "pattern" => IndexKind.Pattern,
        "search" => IndexKind.Search,
        "materialized" => IndexKind.Materialized,
        _ => null,
    };

    private static IResult<StatementSyntax> ParseDrop(ScopeQlInput start, ScopeQlInput afterDrop)
    {
        var token = afterDrop.Token;
        var kind = token.Kind == TokenKind.Word ? token.Value : null;
        if (kind is not ("table" or "database" or "schema" or "view" or "index"))
        {
            return Result.Failure<StatementSyntax>(afterDrop, "syntax error", ["'TABLE'", "'DATABASE'", "'SCHEMA'", "'VIEW'", "'INDEX'"]);
        }

        var ifExists = ParseIfExists(afterDrop.After(token), negated: false);
        if (!ifExists.WasSuccessful)
        {
            return Fail<StatementSyntax, bool>(ifExists);
        }

        if (kind == "database")
        {
            var database = Identifier(ifExists.Remainder);
            return database.WasSuccessful
                ? Success<StatementSyntax>(new DropDatabaseStatementSyntax(ifExists.Value, database.Value, SpanBetween(start, database.Remainder)), database.Remainder)
                : Fail<StatementSyntax, IdentifierSyntax>(database);
        }

        if (kind == "index")
        {
            return ParseDropIndexRest(start, ifExists.Value, In(ifExists.Remainder));
        }

        var name = QualifiedName(ifExists.Remainder);
        if (!name.WasSuccessful)
        {
            return Fail<StatementSyntax, QualifiedNameSyntax>(name);
        }

        var span = SpanBetween(start, name.Remainder);
        StatementSyntax statement = kind switch
        {
            "table" => new DropTableStatementSyntax(ifExists.Value, name.Value, span),
            "schema" => new DropSchemaStatementSyntax(ifExists.Value, name.Value, span),
            _ => new DropViewStatementSyntax(ifExists.Value, name.Value, span),
        };
        return Success(statement, name.Remainder);
    }

    private static IResult<StatementSyntax> ParseDropIndexRest(ScopeQlInput start, bool ifExists, ScopeQlInput rest)
    {
        var name = Identifier(rest);
        if (!name.WasSuccessful)
        {
            return Fail<StatementSyntax, IdentifierSyntax>(name);
        }

        var on = In(name.Remainder);
        if (!on.Token.IsWord("on"))
        {
            return Expect<StatementSyntax>(on, "'ON'");
        }

        var table = QualifiedName(on.After(on.Token));
        return table.WasSuccessful
            ? Success<StatementSyntax>(new DropIndexStatementSyntax(ifExists, name.Value, table.Value, SpanBetween(start, table.Remainder)), table.Remainder)
            : Fail<StatementSyntax, QualifiedNameSyntax>(table);
    }

    /// <summary><c>COMMENT [=] 'text'</c>, starting at COMMENT.</summary>
    private static IResult<string> ParseComment(ScopeQlInput commentKeyword)
    {
        var afterComment = commentKeyword.After(commentKeyword.Token);
        var text = StringLiteral(afterComment.Token.IsSymbol("=") ? afterComment.After(afterComment.Token) : afterComment);
        return text.WasSuccessful ? Success(text.Value.Value, text.Remainder) : Fail<string, Token>(text);
    }

    private static IResult<string?> ParseOptionalComment(ScopeQlInput input)
    {
        if (!input.Token.IsWord("comment"))
        {
            return Success<string?>(null, input);
        }

        var comment = ParseComment(input);
        return comment.WasSuccessful ? Success<string?>(comment.Value, comment.Remainder) : Fail<string?, string>(comment);
    }

    private static IResult<StatementSyntax> ParseCreateContainer(ScopeQlInput start, ScopeQlInput afterKeyword, bool isDatabase)
    {
        var ifNotExists = ParseIfExists(afterKeyword, negated: true);
        if (!ifNotExists.WasSuccessful)
        {
            return Fail<StatementSyntax, bool>(ifNotExists);
        }

        if (isDatabase)
        {
            var database = Identifier(ifNotExists.Remainder);
            if (!database.WasSuccessful)
            {
                return Fail<StatementSyntax, IdentifierSyntax>(database);
            }

            var databaseComment = ParseOptionalComment(In(database.Remainder));
            return databaseComment.WasSuccessful
                ? Success<StatementSyntax>(
                    new CreateDatabaseStatementSyntax(ifNotExists.Value, database.Value, databaseComment.Value, SpanBetween(start, databaseComment.Remainder)),
                    databaseComment.Remainder)
                : Fail<StatementSyntax, string?>(databaseComment);
        }

        var schema = QualifiedName(ifNotExists.Remainder);
        if (!schema.WasSuccessful)
        {
            return Fail<StatementSyntax, QualifiedNameSyntax>(schema);
        }

        var comment = ParseOptionalComment(In(schema.Remainder));
        return comment.WasSuccessful
            ? Success<StatementSyntax>(new CreateSchemaStatementSyntax(ifNotExists.Value, schema.Value, comment.Value, SpanBetween(start, comment.Remainder)), comment.Remainder)
            : Fail<StatementSyntax, string?>(comment);
    }

    private static IResult<StatementSyntax> ParseCreateView(ScopeQlInput start, ScopeQlInput afterView, bool orReplace)
    {
        var ifNotExists = ParseIfExists(afterView, negated: true);
        if (!ifNotExists.WasSuccessful)
        {
            return Fail<StatementSyntax, bool>(ifNotExists);
        }

        var name = QualifiedName(ifNotExists.Remainder);
        if (!name.WasSuccessful)
        {
            return Fail<StatementSyntax, QualifiedNameSyntax>(name);
        }

        var asKeyword = In(name.Remainder);
        if (!asKeyword.Token.IsWord("as"))
        {
            return Expect<StatementSyntax>(asKeyword, "'AS'");
        }

        var queryStart = asKeyword.After(asKeyword.Token);
        var query = Pipeline(queryStart);
        if (!query.WasSuccessful)
        {
            return Fail<StatementSyntax, PipelineSyntax>(query);
        }

        if (query.Value.Source is null && query.Value.Clauses.IsEmpty)
        {
            return Expect<StatementSyntax>(queryStart, "query");
        }

        var comment = ParseOptionalComment(In(query.Remainder));
        return comment.WasSuccessful
            ? Success<StatementSyntax>(
                new CreateViewStatementSyntax(orReplace, ifNotExists.Value, name.Value, query.Value, comment.Value, SpanBetween(start, comment.Remainder)),
                comment.Remainder)
            : Fail<StatementSyntax, string?>(comment);
    }

    private static IResult<StatementSyntax> ParseCreateIndex(ScopeQlInput start, ScopeQlInput afterIndex, IndexKind kind, string kindAsWritten)
    {
        var ifNotExists = ParseIfExists(afterIndex, negated: true);
        if (!ifNotExists.WasSuccessful)
        {
            return Fail<StatementSyntax, bool>(ifNotExists);
        }

        var rest = In(ifNotExists.Remainder);
        IdentifierSyntax? name = null;
        if (!rest.Token.IsWord("on"))
        {
            var parsed = Identifier(rest);
            if (!parsed.WasSuccessful)
            {
                return Result.Failure<StatementSyntax>(rest, "syntax error", ["index name", "'ON'"]);
            }

            name = parsed.Value;
            rest = In(parsed.Remainder);
            if (!rest.Token.IsWord("on"))
            {
                return Expect<StatementSyntax>(rest, "'ON'");
            }
        }

        var table = QualifiedName(rest.After(rest.Token));
        if (!table.WasSuccessful)
        {
            return Fail<StatementSyntax, QualifiedNameSyntax>(table);
        }

        var expression = s_indexExpression(table.Remainder);
        if (!expression.WasSuccessful)
        {
            return Fail<StatementSyntax, ExpressionSyntax>(expression);
        }

        string? comment = null;
        ImmutableArray<TablePropertySyntax>? properties = null;
        rest = In(expression.Remainder);
        while (true)
        {
            if (rest.Token.IsWord("comment") || rest.Token.IsWord("with"))
            {
                var option = rest.Token.Value;
                if (option == "comment" ? comment is not null : properties is not null)
                {
                    return Error<StatementSyntax>(rest, $"{option.ToUpperInvariant()} is given more than once");
                }

                if (option == "comment")
                {
                    var text = ParseComment(rest);
                    if (!text.WasSuccessful)
                    {
                        return Fail<StatementSyntax, string>(text);
                    }

                    comment = text.Value;
                    rest = In(text.Remainder);
                }
                else
                {
                    var listed = s_tableProperties(rest.After(rest.Token));
                    if (!listed.WasSuccessful)
                    {
                        return Fail<StatementSyntax, ImmutableArray<TablePropertySyntax>>(listed);
                    }

                    properties = listed.Value;
                    rest = In(listed.Remainder);
                }

                continue;
            }

            break;
        }

        return Success<StatementSyntax>(
            new CreateIndexStatementSyntax(
                kind, kindAsWritten, ifNotExists.Value, name, table.Value, expression.Value, comment,
                properties ?? ImmutableArray<TablePropertySyntax>.Empty, SpanBetween(start, rest)),
            rest);
    }

    private static IResult<StatementSyntax> ParseAlterTable(ScopeQlInput start, ScopeQlInput afterTable)
    {
        var ifExists = ParseIfExists(afterTable, negated: false);
        if (!ifExists.WasSuccessful)
        {
            return Fail<StatementSyntax, bool>(ifExists);
        }

        var name = QualifiedName(ifExists.Remainder);
        if (!name.WasSuccessful)
        {
            return Fail<StatementSyntax, QualifiedNameSyntax>(name);
        }

        var action = ParseAlterTableAction(In(name.Remainder));
        return action.WasSuccessful
            ? Success<StatementSyntax>(new AlterTableStatementSyntax(ifExists.Value, name.Value, action.Value, SpanBetween(start, action.Remainder)), action.Remainder)
            : Fail<StatementSyntax, AlterTableActionSyntax>(action);
    }

    private static IResult<AlterTableActionSyntax> ParseAlterTableAction(ScopeQlInput input)
    {
        var token = input.Token;
        var after = input.After(token);
        switch (token.Kind == TokenKind.Word ? token.Value : null)
        {
            case "rename":
            {
                if (!after.Token.IsWord("to"))
                {
                    return Expect<AlterTableActionSyntax>(after, "'TO'");
                }

                var newName = QualifiedName(after.After(after.Token));
                return newName.WasSuccessful
                    ? Success<AlterTableActionSyntax>(new RenameTableActionSyntax(newName.Value, SpanBetween(input, newName.Remainder)), newName.Remainder)
                    : Fail<AlterTableActionSyntax, QualifiedNameSyntax>(newName);
            }

            case "add":
            {
                var column = ParseColumnDefinition(after.Token.IsWord("column") ? after.After(after.Token) : after);
                return column.WasSuccessful
                    ? Success<AlterTableActionSyntax>(new AddColumnActionSyntax(column.Value, SpanBetween(input, column.Remainder)), column.Remainder)
                    : Fail<AlterTableActionSyntax, ColumnDefinitionSyntax>(column);
            }

            case "drop":
                return ParseAlterTableDrop(input, after);
            case "partition":
            case "cluster":
            {
                var keys = ParseKeywordBy(input, ExpressionList);
                var kind = token.Value == "partition" ? TableKeyKind.Partition : TableKeyKind.Cluster;
                return keys.WasSuccessful
                    ? Success<AlterTableActionSyntax>(
                        new SetTableKeyActionSyntax(kind, keys.Value, ImmutableArray<OrderByItemSyntax>.Empty, SpanBetween(input, keys.Remainder)), keys.Remainder)
                    : Fail<AlterTableActionSyntax, ImmutableArray<ExpressionSyntax>>(keys);
            }

            case "distinct":
            {
                var clause = DistinctOn(input);
                return clause.WasSuccessful
                    ? Success<AlterTableActionSyntax>(
                        new SetTableKeyActionSyntax(TableKeyKind.Distinct, clause.Value.On, clause.Value.By, clause.Value.Span), clause.Remainder)
                    : Fail<AlterTableActionSyntax, DistinctOnClauseSyntax>(clause);
            }

            default:
                return Result.Failure<AlterTableActionSyntax>(
                    input, "syntax error", ["'RENAME'", "'ADD'", "'DROP'", "'PARTITION'", "'CLUSTER'", "'DISTINCT'"]);
        }
    }

    private static IResult<AlterTableActionSyntax> ParseAlterTableDrop(ScopeQlInput start, ScopeQlInput afterDrop)
    {
        var token = afterDrop.Token;
        var after = afterDrop.After(token);
        if (token.IsWord("column"))
        {
            var column = Identifier(after);
            return column.WasSuccessful
                ? Success<AlterTableActionSyntax>(new DropColumnActionSyntax(column.Value, SpanBetween(start, column.Remainder)), column.Remainder)
                : Fail<AlterTableActionSyntax, IdentifierSyntax>(column);
        }

        TableKeyKind? kind = token.Kind != TokenKind.Word ? null : token.Value switch
        {
            "partition" => TableKeyKind.Partition,
            "cluster" => TableKeyKind.Cluster,
            "distinct" => TableKeyKind.Distinct,
            _ => null,
        };
        if (kind is null)
        {
            return Result.Failure<AlterTableActionSyntax>(afterDrop, "syntax error", ["'COLUMN'", "'PARTITION'", "'CLUSTER'", "'DISTINCT'"]);
        }

        if (!after.Token.IsWord("key"))
        {
            return Expect<AlterTableActionSyntax>(after, "'KEY'");
        }

        var rest = after.After(after.Token);
        return Success<AlterTableActionSyntax>(new DropTableKeyActionSyntax(kind.Value, SpanBetween(start, rest)), rest);
    }
}
