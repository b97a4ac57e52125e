using Analytics.Engine.Binding;
using Analytics.Engine.Catalog;
using Analytics.Engine.Expressions;
using Analytics.Engine.Planning;
using Analytics.Engine.Storage;
using Analytics.Errors;
using Analytics.Vector.Batches;

namespace Analytics.Engine;

/// <summary>
/// Runs DELETE and UPDATE by rewriting parts of a table: it counts the affected rows of each committed part (a
/// part's statistics usually let the count skip reading it), then reads the parts that have any and commits what
/// replaces them in one atomic commit. Rows appended meanwhile are in new parts and are neither read nor lost. When
/// another rewrite replaced one of the same parts first, the statement starts over on the new parts.
/// </summary>
internal static class TableRewriter
{
    private const int MaxAttempts = 16;

    public static QueryResult Execute(Session session, BoundRewriteStatement statement, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return CountResult(session, statement.Kind, RewriteOnce(session, statement, cancellationToken), cancellationToken);
            }
            catch (CommitConflictException) when (attempt < MaxAttempts)
            {
                // Two rewrites of the same parts that keep restarting in step would collide again: back off a
                // little, randomly, so one of them gets through.
                Thread.Sleep(Random.Shared.Next(1, 5 * attempt));
            }
        }
    }

    /// <summary>Like an INSERT's result: one row with the count of rows affected, which is also <see cref="QueryResult.RowsAffected"/>.</summary>
    private static QueryResult CountResult(Session session, StatementKind kind, long rows, CancellationToken cancellationToken)
    {
        LogicalValues count = new(LogicalInsert.CountSchema, [[new BoundConstant(rows, LogicalInsert.CountSchema[0].Type)]]);
        QueryResult result = ExecutionBridge.Execute(count, kind, session.Database, cancellationToken);
        result.RowsAffected = rows;
        return result;
    }

    private static long RewriteOnce(Session session, BoundRewriteStatement statement, CancellationToken cancellationToken)
    {
        TableEntry table = statement.Table;
        TableSnapshot snapshot = table.Storage.Snapshot();
        List<int> parts = [];
        long affected = 0;
        for (int part = 0; part < snapshot.PartCount; part++)
        {
            long rows = statement.Matching is null
                ? snapshot.RowsOf(part)
                : CountMatching(session, Retarget(statement.Matching, table, snapshot.Rewrite([part])), cancellationToken);
            if (rows > 0)
            {
                parts.Add(part);
                affected += rows;
            }
        }
        if (parts.Count > 0)
        {
            Run(session, Retarget(statement.Rewrite, table, snapshot.Rewrite(parts)), cancellationToken);
        }
        return affected;
    }

    private static long CountMatching(Session session, LogicalOperator plan, CancellationToken cancellationToken)
    {
        using QueryResult result = ExecutionBridge.Execute(session.Optimize(plan), StatementKind.Query, session.Database, cancellationToken);
        long count = 0;
        while (result.ReadNext(cancellationToken, out Batch? batch))
        {
            if (batch!.Count > 0)
            {
                count = batch.Columns[0].GetData<long>()[batch.RowAt(0)];
            }
        }
        return count;
    }

    /// <summary>Runs a rewrite plan (an insert into some parts of a table) to its commit.</summary>
    internal static void Run(Session session, LogicalOperator plan, CancellationToken cancellationToken)
    {
        using QueryResult result = ExecutionBridge.Execute(session.Optimize(plan), StatementKind.Insert, session.Database, cancellationToken);
        while (result.ReadNext(cancellationToken, out _))
        {
        }
    }

    /// <summary>The plan with <paramref name="table"/>'s scan and insert target replaced by <paramref name="storage"/> (some of its parts).</summary>
    internal static LogicalOperator Retarget(LogicalOperator plan, TableEntry table, TableStorage storage) => plan switch
    {
        LogicalScan scan when ReferenceEquals(scan.Source, table.Storage) =>
            new LogicalScan(scan.TableName, storage, scan.Columns, scan.PushedFilters, scan.ResidualFilters, scan.Limit, scan.VariantPaths,
                scan.ProjectedColumns),
        LogicalInsert insert when ReferenceEquals(insert.Table, table) =>
            new LogicalInsert(Retarget(insert.Input, table, storage),
                new TableEntry(table.Database, table.SchemaName, table.Name, storage) { Properties = table.Properties },
                insert.TargetColumns, insert.PreserveOrder, insert.PartitionKeys),
        _ => plan.Children.IsEmpty ? plan : plan.WithChildren([.. plan.Children.Select(child => Retarget(child, table, storage))]),
    };
}
