using Analytics.Engine.Catalog;
using Analytics.Engine.Planning;
using Analytics.Vector.Types;

namespace Analytics.Engine.Binding;

/// <summary>The binder's output for one statement.</summary>
public abstract record BoundStatement(StatementKind Kind);

/// <summary>A query (<see cref="StatementKind.Query"/>) or a query ending in INSERT (<see cref="StatementKind.Insert"/>).</summary>
public sealed record BoundQueryStatement(LogicalOperator Plan, StatementKind QueryKind) : BoundStatement(QueryKind);

public sealed record BoundCreateTableStatement(QualifiedName Name, BatchSchema Columns, TableProperties Properties, bool IfNotExists)
    : BoundStatement(StatementKind.Ddl);

public sealed record BoundDropTableStatement(QualifiedName Name, bool IfExists) : BoundStatement(StatementKind.Ddl);

/// <summary><c>EXPLAIN [ANALYZE] query</c>: the plan of <see cref="Statement"/> as text rows.</summary>
public sealed record BoundExplainStatement(BoundQueryStatement Statement, bool Analyze) : BoundStatement(StatementKind.Explain);

public sealed record BoundCreateDatabaseStatement(string Name, bool IfNotExists) : BoundStatement(StatementKind.Ddl)
{
    public string? Comment { get; init; }
}

public sealed record BoundDropDatabaseStatement(string Name, bool IfExists) : BoundStatement(StatementKind.Ddl);

public sealed record BoundCreateSchemaStatement(string? Database, string Name, bool IfNotExists) : BoundStatement(StatementKind.Ddl)
{
    public string? Comment { get; init; }
}

public sealed record BoundDropSchemaStatement(string? Database, string Name, bool IfExists) : BoundStatement(StatementKind.Ddl);

/// <summary>
/// DELETE or UPDATE of <see cref="Table"/>, run by rewriting the table's parts that hold affected rows.
/// <see cref="Matching"/> counts the affected rows of a scan of the table (null: every row is affected);
/// <see cref="Rewrite"/> reads the table and inserts into it what replaces the rows read (the survivors of a DELETE,
/// every row of an UPDATE with the assignments applied where the predicate holds). Both are templates over
/// <see cref="Table"/>'s storage, retargeted at the parts being rewritten.
/// </summary>
public sealed record BoundRewriteStatement(StatementKind RewriteKind, TableEntry Table, LogicalOperator? Matching, LogicalInsert Rewrite)
    : BoundStatement(RewriteKind);

/// <summary><c>CREATE [OR REPLACE] VIEW [IF NOT EXISTS] name AS query</c>; <see cref="Query"/> is the query's text.</summary>
public sealed record BoundCreateViewStatement(QualifiedName Name, string Query, string? Comment, bool OrReplace, bool IfNotExists)
    : BoundStatement(StatementKind.Ddl);

public sealed record BoundDropViewStatement(QualifiedName Name, bool IfExists) : BoundStatement(StatementKind.Ddl);

/// <summary>ALTER TABLE: <see cref="Table"/> as it was bound and what it becomes; both null for IF EXISTS of a missing table.</summary>
public sealed record BoundAlterTableStatement(TableEntry? Table, TableAlteration? Alteration) : BoundStatement(StatementKind.Ddl)
{
    /// <summary>What the statement warns about (CREATE EQUALITY|OBJECT|SMART INDEX: the type is now called POINT).</summary>
    public string? Warning { get; init; }

    /// <summary>CREATE or DROP INDEX: the table's storage gets the new index list, and existing rows are indexed.</summary>
    public bool ChangesIndexes { get; init; }
}
