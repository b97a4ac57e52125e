namespace Analytics.Sql.Syntax;

/// <summary>The table keys ALTER TABLE can set or drop.</summary>
public enum TableKeyKind
{
    Partition,
    Cluster,
    Distinct,
}
