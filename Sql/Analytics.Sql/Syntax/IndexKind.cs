namespace Analytics.Sql.Syntax;

/// <summary>Index types (scopeql.md §1.7, Q22).</summary>
public enum IndexKind
{
    Point,
    Range,
    Pattern,
    Search,
    Materialized,
}
