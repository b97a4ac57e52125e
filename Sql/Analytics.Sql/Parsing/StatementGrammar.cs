using System.Collections.Immutable;
using Analytics.Sql.Syntax;
using Sprache;
using static Analytics.Sql.Parsing.ExpressionGrammar;
using static Analytics.Sql.Parsing.QueryGrammar;
using static Analytics.Sql.Parsing.Tokens;

namespace Analytics.Sql.Parsing;

/// <summary>
/// Statements: queries (optionally ending in INSERT INTO), EXPLAIN, DML and inspection here; DDL in
/// <c>StatementGrammar.Ddl.cs</c> (methods only: every static parser field lives in this file so initialisation order is fixed).
/// </summary>
internal static partial class StatementGrammar
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

    private static readonly Parser<UpdateAssignmentSyntax> s_assignment = Node(
        from column in Identifier
        from assign in Symbol("=")
        from value in Expression
        select (Func<SourceSpan, UpdateAssignmentSyntax>)(span => new UpdateAssignmentSyntax(column, value, span)));

    private static readonly Parser<ImmutableArray<UpdateAssignmentSyntax>> s_assignments = List(s_assignment);

    /// <summary><c>( expr )</c> after CREATE INDEX … ON t; the blogs' <c>((expr))</c> is the same with inner parentheses.</summary>
    private static readonly Parser<ExpressionSyntax> s_indexExpression =
        from open in Symbol("(")
        from expression in Expression
        from close in Symbol(")")
        select expression;

    private static IResult<StatementSyntax> ParseStatement(IInput input)
    {
        var at = In(input);
        var token = at.Token;
        if (token.Kind != TokenKind.Word)
        {
            return ParseQuery(at);
        }

        var next = at.After(token);
        switch (token.Value)
        {
            case "create":
                return ParseCreate(at, next);
            case "drop":
                return ParseDrop(at, next);
            case "explain":
            {
                var analyze = next.Token.IsWord("analyze");
                var rest = analyze ? next.After(next.Token) : next;
                var inner = ParseStatement(rest);
                return inner.WasSuccessful
                    ? Success<StatementSyntax>(new ExplainStatementSyntax(analyze, inner.Value, SpanBetween(at, inner.Remainder)), inner.Remainder)
                    : inner;
            }

            case "delete":
                return ParseDelete(at, next);
            case "update":
                return ParseUpdate(at, next);
            case "show":
                return ParseShow(at, next);
            case "describe":
            {
                if (!next.Token.IsWord("table"))
                {
                    return Expect<StatementSyntax>(next, "'TABLE'");
                }

                var name = QualifiedName(next.After(next.Token));
                return name.WasSuccessful
                    ? Success<StatementSyntax>(new DescribeTableStatementSyntax(name.Value, SpanBetween(at, name.Remainder)), name.Remainder)
                    : Fail<StatementSyntax, QualifiedNameSyntax>(name);
            }

            case "alter":
                return next.Token.IsWord("table") ? ParseAlterTable(at, next.After(next.Token)) : Expect<StatementSyntax>(next, "'TABLE'");
            default:
                return ParseQuery(at);
        }
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

    private static IResult<StatementSyntax> ParseDelete(ScopeQlInput start, ScopeQlInput afterDelete)
    {
        if (!afterDelete.Token.IsWord("from"))
        {
            return Expect<StatementSyntax>(afterDelete, "'FROM'");
        }

        var table = QualifiedName(afterDelete.After(afterDelete.Token));
        if (!table.WasSuccessful)
        {
            return Fail<StatementSyntax, QualifiedNameSyntax>(table);
        }

        var where = ParseOptionalWhere(In(table.Remainder));
        return where.WasSuccessful
            ? Success<StatementSyntax>(new DeleteStatementSyntax(table.Value, where.Value, SpanBetween(start, where.Remainder)), where.Remainder)
            : Fail<StatementSyntax, ExpressionSyntax?>(where);
    }

    private static IResult<StatementSyntax> ParseUpdate(ScopeQlInput start, ScopeQlInput afterUpdate)
    {
        var table = QualifiedName(afterUpdate);
        if (!table.WasSuccessful)
        {
            return Fail<StatementSyntax, QualifiedNameSyntax>(table);
        }

        var set = In(table.Remainder);
        if (!set.Token.IsWord("set"))
        {
            return Expect<StatementSyntax>(set, "'SET'");
        }

        var assignments = s_assignments(set.After(set.Token));
        if (!assignments.WasSuccessful)
        {
            return Fail<StatementSyntax, ImmutableArray<UpdateAssignmentSyntax>>(assignments);
        }

        var where = ParseOptionalWhere(In(assignments.Remainder));
        return where.WasSuccessful
            ? Success<StatementSyntax>(new UpdateStatementSyntax(table.Value, assignments.Value, where.Value, SpanBetween(start, where.Remainder)), where.Remainder)
            : Fail<StatementSyntax, ExpressionSyntax?>(where);
    }

    private static IResult<ExpressionSyntax?> ParseOptionalWhere(ScopeQlInput input)
    {
        if (!input.Token.IsWord("where"))
        {
            return Success<ExpressionSyntax?>(null, input);
        }

        var predicate = Expression(input.After(input.Token));
        return predicate.WasSuccessful ? Success<ExpressionSyntax?>(predicate.Value, predicate.Remainder) : Fail<ExpressionSyntax?, ExpressionSyntax>(predicate);
    }

    private static IResult<StatementSyntax> ParseShow(ScopeQlInput start, ScopeQlInput afterShow)
    {
        var rest = afterShow;
        var full = rest.Token.IsWord("full");
        if (full)
        {
            rest = rest.After(rest.Token);
        }

        ShowKind? kind = rest.Token.Kind != TokenKind.Word ? null : rest.Token.Value switch
        {
            "databases" => ShowKind.Databases,
            "schemas" => ShowKind.Schemas,
            "tables" => ShowKind.Tables,
            "views" => ShowKind.Views,
            "jobs" => ShowKind.Jobs,
            "statements" => ShowKind.Statements,
            _ => null,
        };
        if (kind is null)
        {
            return Result.Failure<StatementSyntax>(rest, "syntax error", ["'DATABASES'", "'SCHEMAS'", "'TABLES'", "'VIEWS'", "'JOBS'", "'STATEMENTS'"]);
        }

        rest = rest.After(rest.Token);
        QualifiedNameSyntax? scope = null;
        if (rest.Token.IsWord("in"))
        {
            var name = QualifiedName(rest.After(rest.Token));
            if (!name.WasSuccessful)
            {
                return Fail<StatementSyntax, QualifiedNameSyntax>(name);
            }

            scope = name.Value;
            rest = In(name.Remainder);
        }

        return Success<StatementSyntax>(new ShowStatementSyntax(kind.Value, full, scope, SpanBetween(start, rest)), rest);
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
}
