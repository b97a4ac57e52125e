using System.Collections.Immutable;
using Analytics.Engine.Binding;
using Analytics.Engine.Expressions;
using Analytics.Engine.Optimization;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Sql;
using Analytics.Sql.Syntax;
using Analytics.Vector.Types;

namespace Analytics.Engine;

/// <summary>A connection to a <see cref="Database"/>: per-connection settings; executes ScopeQL statements.</summary>
public sealed class Session : IDisposable
{
    internal Session(Database database) => Database = database;

    public Database Database { get; }

    /// <summary>
    /// Executes one statement. Queries stream: the returned result yields batches as they are produced. Errors are
    /// <see cref="QueryException"/>s (kind-prefixed messages).
    /// </summary>
    public QueryResult Execute(string statement, CancellationToken cancellationToken = default) =>
        Execute(Parse(statement), new Binder(Database.Catalog) { StatementText = statement }, cancellationToken);

    /// <summary>
    /// Executes one statement whose placeholders (<c>@name</c>, <c>?</c>) take <paramref name="parameters"/>, bound as
    /// typed constants (see <see cref="StatementParameter"/>); a placeholder without a value is a Binder error.
    /// </summary>
    public QueryResult Execute(string statement, IReadOnlyList<StatementParameter> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Execute(Parse(statement), new Binder(Database.Catalog) { Parameters = parameters, StatementText = statement }, cancellationToken);
    }

    /// <summary>
    /// When true, statements that would change the database (INSERT, DELETE, UPDATE, DDL, EXPLAIN ANALYZE of an
    /// INSERT, ingest streams) fail with an InvalidInput error before they run; queries, SHOW and DESCRIBE still work.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>Splits a script on top-level semicolons and executes the statements one at a time, lazily.</summary>
    public IEnumerable<QueryResult> ExecuteScript(string script, CancellationToken cancellationToken = default) =>
        ExecuteScript(script, [], cancellationToken);

    /// <summary>
    /// <see cref="ExecuteScript(string, CancellationToken)"/> with placeholder values: <c>@name</c> placeholders may
    /// appear in any statement; the <c>?</c> placeholders are numbered across the whole script.
    /// </summary>
    public IEnumerable<QueryResult> ExecuteScript(string script, IReadOnlyList<StatementParameter> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        int placeholderBase = 0;
        // Each statement is parsed only when its turn comes: earlier statements run even if a later one is malformed.
        foreach (string statement in ScopeQlParser.SplitStatements(script))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Binder binder = new(Database.Catalog) { Parameters = parameters, PlaceholderBase = placeholderBase, StatementText = statement };
            placeholderBase += ScopeQlParser.CountPlaceholders(statement);
            yield return Execute(Parse(statement), binder, cancellationToken);
        }
    }

    private QueryResult Execute(StatementSyntax syntax, Binder binder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BoundStatement bound = binder.Bind(syntax);
        if (ReadOnly)
        {
            RejectWrite(bound);
        }
        switch (bound)
        {
            case BoundCreateTableStatement create:
                Database.Catalog.CreateTable(create.Name, create.Columns, create.Properties, create.IfNotExists);
                return ExecutionBridge.Completed(StatementKind.Ddl, 0);
            case BoundDropTableStatement drop:
                Database.Catalog.DropTable(drop.Name, drop.IfExists);
                return ExecutionBridge.Completed(StatementKind.Ddl, 0);
            case BoundCreateDatabaseStatement create:
                Database.Catalog.CreateDatabase(create.Name, create.IfNotExists, create.Comment);
                return ExecutionBridge.Completed(StatementKind.Ddl, 0);
            case BoundDropDatabaseStatement drop:
                Database.Catalog.DropDatabase(drop.Name, drop.IfExists);
                return ExecutionBridge.Completed(StatementKind.Ddl, 0);
            case BoundCreateSchemaStatement create:
                Database.Catalog.CreateSchema(create.Database, create.Name, create.IfNotExists, create.Comment);
                return ExecutionBridge.Completed(StatementKind.Ddl, 0);
            case BoundDropSchemaStatement drop:
                Database.Catalog.DropSchema(drop.Database, drop.Name, drop.IfExists);
                return ExecutionBridge.Completed(StatementKind.Ddl, 0);
            case BoundCreateViewStatement create:
                Database.Catalog.CreateView(create.Name, create.Query, create.Comment, create.OrReplace, create.IfNotExists);
                return ExecutionBridge.Completed(StatementKind.Ddl, 0);
            case BoundDropViewStatement drop:
                Database.Catalog.DropView(drop.Name, drop.IfExists);
                return ExecutionBridge.Completed(StatementKind.Ddl, 0);
            case BoundAlterTableStatement alter:
                if (alter.Table is not null)
                {
                    ImmutableArray<BoundIndex> before = alter.Table.Storage.Indexes;
                    Database.Catalog.AlterTable(alter.Table, alter.Alteration!);
                    if (alter.ChangesIndexes && Database.Catalog.TryGetTable(new Catalog.QualifiedName(alter.Table.Database, alter.Table.SchemaName, alter.Table.Name), out TableEntry? indexed))
                    {
                        // A dropped index's files go; the rows already stored get a new index now (back-fill).
                        binder.AttachIndexes(indexed);
                        ImmutableArray<BoundIndex> after = indexed.Storage.Indexes;
                        indexed.Storage.DeleteIndexFiles([.. before.Where(b => !after.Any(a => a.Id == b.Id))]);
                        indexed.Storage.BuildIndexes(cancellationToken);
                        if (indexed.Storage is Storage.Segments.SegmentTableStorage
                            && after.Any(a => a.Definition.Kind == IndexKind.Materialized && !before.Any(b => b.Id == a.Id)))
                        {
                            // A MATERIALIZED index lives in the segments themselves: the stored rows are rewritten.
                            TableCompactor.RewriteEveryPart(this, indexed, cancellationToken);
                        }
                    }
                }
                return ExecutionBridge.Completed(StatementKind.Ddl, 0, alter.Warning);
            case BoundQueryStatement query:
                return ExecutionBridge.Execute(Optimize(query.Plan), query.Kind, Database, cancellationToken);
            case BoundRewriteStatement rewrite:
                return TableRewriter.Execute(this, rewrite, cancellationToken);
            case BoundExplainStatement explain:
                return ExecutionBridge.Execute(Explain(explain, cancellationToken), StatementKind.Explain, Database, cancellationToken);
            default:
                throw new QueryException(ErrorKind.Internal, $"unexpected bound statement {bound.GetType().Name} (this is a bug)");
        }
    }

    /// <summary>
    /// Opens an ingest stream for a transform statement whose input is <c>$0</c> (each JSON row) and that ends in
    /// <c>INSERT INTO</c>; statement errors (syntax, unknown table, types) are thrown here.
    /// </summary>
    public Ingest.IngestStream OpenIngestStream(string statement, Ingest.IngestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (ReadOnly)
        {
            throw new QueryException(ErrorKind.InvalidInput, "the session is read-only: ingest streams write to a table");
        }
        return new Ingest.IngestStream(this, statement, options ?? new Ingest.IngestOptions());
    }

    private static void RejectWrite(BoundStatement bound)
    {
        string? write = bound switch
        {
            BoundQueryStatement { Kind: StatementKind.Insert } or BoundExplainStatement { Analyze: true, Statement.Kind: StatementKind.Insert } => "INSERT",
            BoundRewriteStatement { Kind: StatementKind.Delete } => "DELETE",
            BoundRewriteStatement => "UPDATE",
            { Kind: StatementKind.Ddl } => "DDL",
            _ => null,
        };
        if (write is not null)
        {
            throw new QueryException(ErrorKind.InvalidInput, $"the session is read-only: {write} statements are not allowed");
        }
    }

    /// <summary>
    /// Opens an appender for a table (<c>name</c>, <c>schema.name</c> or <c>database.schema.name</c>): typed batches
    /// of the table's columns, inserted atomically per flush.
    /// </summary>
    public Ingest.TableAppender OpenAppender(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (ReadOnly)
        {
            throw new QueryException(ErrorKind.InvalidInput, "the session is read-only: an appender writes to a table");
        }
        Catalog.QualifiedName name = Catalog.QualifiedName.Parse(table.Split('.'));
        return Database.Catalog.TryGetTable(name, out TableEntry? entry)
            ? new Ingest.TableAppender(this, entry)
            : throw Catalog.DatabaseCatalog.TableDoesNotExist(name);
    }

    internal LogicalOperator Optimize(LogicalOperator plan) =>
        Optimizer.Optimize(plan, new OptimizerContext(Database.Options));

    /// <summary>
    /// EXPLAIN: one text row per line, the optimized logical plan and then the physical pipelines. EXPLAIN ANALYZE runs
    /// the statement and shows the pipelines with each operator's rows and time and each scan's counters.
    /// </summary>
    private LogicalValues Explain(BoundExplainStatement explain, CancellationToken cancellationToken)
    {
        LogicalOperator plan = Optimize(explain.Statement.Plan);
        ImmutableArray<string> lines = explain.Analyze
            ? ExecutionBridge.Analyze(plan, Database, cancellationToken)
            : [.. LogicalPlanPrinter.Print(plan), .. ExecutionBridge.DescribePhysical(plan, Database.Options)];
        BatchSchema schema = new(new Field("plan", LogicalType.String, false));
        return new LogicalValues(schema, [.. lines.Select(l => ImmutableArray.Create<BoundExpression>(new BoundConstant(l, LogicalType.String)))]);
    }

    internal static StatementSyntax Parse(string text)
    {
        try
        {
            return ScopeQlParser.ParseStatement(text);
        }
        catch (ParseException e)
        {
            throw new QueryException(ErrorKind.Syntax, e.Text, e);
        }
    }

    public void Dispose()
    {
    }
}
