namespace Analytics.Sql.Syntax;

/// <summary>ORDER BY direction; ascending is the default.</summary>
public enum SortDirection
{
    Ascending,
    Descending,
}
