using Analytics.Engine.Planning;
using Analytics.Engine.Scan;
using Analytics.Sql.Syntax;

namespace Analytics.Engine.Binding;

/// <summary>Appender inserts: rows already typed as the table's columns, inserted as an INSERT without a column list.</summary>
public sealed partial class Binder
{
    /// <summary>
    /// <c>INSERT INTO table</c> over <paramref name="rows"/>, whose schema is the table's, so the insert lays the rows
    /// out like any other INSERT (partitions, clustering) and commits them atomically.
    /// </summary>
    internal LogicalInsert BindAppend(TableEntry table, IScanSource rows)
    {
        int[] columns = new int[rows.Schema.Count];
        ScopeColumn[] scope = new ScopeColumn[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            columns[i] = i;
            scope[i] = new ScopeColumn(rows.Schema[i].Name, null, rows.Schema[i].Type);
        }
        LogicalScan input = new("appended rows", rows, [.. columns], [], [], null);
        InsertTargetSyntax target = new(new QualifiedNameSyntax([], default), [], default);
        return BindInsert(table, target, input, new BindScope([.. scope]), preserveOrder: true);
    }
}
