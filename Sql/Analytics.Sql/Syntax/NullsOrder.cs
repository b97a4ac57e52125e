namespace Analytics.Sql.Syntax;

/// <summary>Where NULLs go in a sort; Default means "NULL sorts higher than any value" (last for ASC, first for DESC).</summary>
public enum NullsOrder
{
    Default,
    First,
    Last,
}
